"""Stakeholder groups, stakeholders and their invitation links."""

import hashlib
import json

import peewee as pw

from portal.db import BaseModel, utcnow
from portal.plan.models import Plan, Strategy


class StakeholderGroup(BaseModel):
    """A kind of stakeholder (parents and guardians, teachers, ...) with translated labels."""

    key = pw.CharField(max_length=50, unique=True)
    label = pw.CharField(max_length=100)
    plural_label = pw.CharField(max_length=100)
    # JSON: {"es": {"label": "...", "plural_label": "..."}, ...} for locales other than English.
    translations = pw.TextField(default="{}")
    position = pw.IntegerField(default=0)
    # Students' names are never shown, to staff either.
    anonymous = pw.BooleanField(default=False)

    def label_in(self, locale, plural=False):
        """Return the label in the locale, falling back to English."""
        field = "plural_label" if plural else "label"
        localized = json.loads(self.translations or "{}").get(str(locale), {})
        return localized.get(field) or getattr(self, field)


class Stakeholder(BaseModel):
    """A person invited to comment: a parent, a teacher, a board member, ..."""

    email = pw.CharField(max_length=254, unique=True)
    name = pw.CharField(max_length=200, default="")
    group = pw.ForeignKeyField(StakeholderGroup, backref="stakeholders")
    school = pw.CharField(max_length=200, default="")
    language = pw.CharField(max_length=10, default="en")
    show_name_to_staff = pw.BooleanField(default=True)
    notifications_enabled = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def name_for_staff(self):
        """Return the name staff may see, or None when the author keeps it from them."""
        if self.group.anonymous or not self.show_name_to_staff:
            return None
        return self.name or self.email


def hash_token(token):
    """Return the SHA-256 hex digest under which an invitation token is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Invitation(BaseModel):
    """An invitation link. Only the token's hash is stored."""

    plan = pw.ForeignKeyField(Plan, on_delete="CASCADE")
    stakeholder = pw.ForeignKeyField(Stakeholder, backref="invitations", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    # True: the whole plan; False: only the strategies in InvitationStrategy.
    whole_plan = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()
    revoked_at = pw.DateTimeField(null=True)
    first_used_at = pw.DateTimeField(null=True)
    last_used_at = pw.DateTimeField(null=True)

    @classmethod
    def by_token(cls, token):
        """Return the invitation for a token, whatever its state, or None."""
        return (
            cls.select(cls, Stakeholder)
            .join(Stakeholder)
            .where(cls.token_hash == hash_token(token))
            .first()
        )

    def state(self, now):
        """Return "valid", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "valid"

    def strategy_ids(self):
        """Return the ids of the strategies in scope, or None for the whole plan.

        The set is loaded once per instance, because pages check it for every strategy.
        """
        if self.whole_plan:
            return None
        if not hasattr(self, "_strategy_ids"):
            self._strategy_ids = {row.strategy_id for row in self.scoped_strategies}
        return self._strategy_ids


class InvitationStrategy(BaseModel):
    """A strategy that an invitation limited to some strategies covers."""

    invitation = pw.ForeignKeyField(Invitation, backref="scoped_strategies", on_delete="CASCADE")
    strategy = pw.ForeignKeyField(Strategy, on_delete="CASCADE")

    class Meta:
        indexes = ((("invitation", "strategy"), True),)


MODELS = [StakeholderGroup, Stakeholder, Invitation, InvitationStrategy]
