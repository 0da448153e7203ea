"""Stakeholder groups, stakeholders and their invitation links."""

import hashlib
import json

import peewee as pw

from portal.auth.models import StaffUser
from portal.db import BaseModel, utcnow
from portal.mail.models import OutboxMessage
from portal.plan.models import MonitoringPeriod, Plan, Strategy


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
    # Set when an administrator took the person off the roster: no campaign invites them,
    # and they get no new link, but their comments stay.
    removed_at = pw.DateTimeField(null=True)

    @property
    def name_for_staff(self):
        """Return the name staff may see, or None when the author keeps it from them."""
        if self.group.anonymous or not self.show_name_to_staff:
            return None
        return self.name or self.email


def hash_token(token):
    """Return the SHA-256 hex digest under which an invitation token is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Campaign(BaseModel):
    """A round of invitations for one monitoring period, with its comment window and scope."""

    plan = pw.ForeignKeyField(Plan, backref="campaigns", on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, backref="campaigns", on_delete="CASCADE")
    name = pw.CharField(max_length=200)
    # Dates in the district's time zone: comments are accepted from opens_on to closes_on.
    opens_on = pw.DateField()
    closes_on = pw.DateField()
    # The invitation links stop working at the end of this day.
    links_expire_on = pw.DateField()
    # True: the whole plan; False: only the strategies in CampaignStrategy.
    whole_plan = pw.BooleanField(default=True)
    # JSON list of StakeholderGroup keys to invite; empty means every group.
    group_keys = pw.TextField(default="[]")
    created_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)

    def groups(self):
        """Return the group keys the campaign invites, or an empty list for every group."""
        return json.loads(self.group_keys or "[]")


class CampaignStrategy(BaseModel):
    """A strategy that a campaign limited to some strategies asks about."""

    campaign = pw.ForeignKeyField(Campaign, backref="scoped_strategies", on_delete="CASCADE")
    strategy = pw.ForeignKeyField(Strategy, on_delete="CASCADE")

    class Meta:
        indexes = ((("campaign", "strategy"), True),)


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
    campaign = pw.ForeignKeyField(Campaign, null=True, backref="invitations", on_delete="SET NULL")
    # Set when a newer link was sent in its place; the old link then stops working.
    replaced_at = pw.DateTimeField(null=True)
    # The email that carried the link, for its queued, sent or failed state.
    message = pw.ForeignKeyField(OutboxMessage, null=True, on_delete="SET NULL")

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
        """Return "valid", "expired", "replaced" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.replaced_at is not None:
            return "replaced"
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


MODELS = [StakeholderGroup, Stakeholder, Campaign, CampaignStrategy, Invitation, InvitationStrategy]
