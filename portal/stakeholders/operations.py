"""Changes to stakeholders and invitations."""

import datetime
import logging
import secrets

from flask import current_app

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.errors import DomainError
from portal.stakeholders.models import (
    Invitation,
    InvitationStrategy,
    Stakeholder,
    StakeholderGroup,
    hash_token,
)

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32


def invitation_url(token):
    """Return the link a stakeholder opens, built from the configured base URL."""
    return f"{current_app.config['BASE_URL']}/invitation/{token}"


def normalize_email(email):
    return (email or "").strip().lower()


def invite_stakeholder(plan, email, group_key, actor, name="", language="en", strategies=(), school=""):
    """Create or update the stakeholder, issue an invitation and return (invitation, token).

    strategies limits the invitation to those Strategy rows; empty means the whole plan.
    """
    email = normalize_email(email)
    group = StakeholderGroup.get_or_none(StakeholderGroup.key == group_key)
    if group is None:
        known = ", ".join(g.key for g in StakeholderGroup.select().order_by(StakeholderGroup.position))
        raise DomainError(f"Unknown stakeholder group {group_key!r}; use one of: {known}.")
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(
            f"Unsupported language {language!r}; use one of: {', '.join(current_app.config['LANGUAGES'])}."
        )

    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction():
        stakeholder = Stakeholder.get_or_none(Stakeholder.email == email)
        if stakeholder is None:
            stakeholder = Stakeholder.create(
                email=email, name=name, group=group, language=language, school=school
            )
        else:
            stakeholder.group = group
            stakeholder.language = language
            stakeholder.name = name or stakeholder.name
            stakeholder.school = school or stakeholder.school
            stakeholder.save()
        invitation = Invitation.create(
            plan=plan,
            stakeholder=stakeholder,
            token_hash=hash_token(token),
            whole_plan=not strategies,
            expires_at=utcnow() + datetime.timedelta(days=current_app.config["INVITATION_DAYS"]),
        )
        for strategy in strategies:
            InvitationStrategy.create(invitation=invitation, strategy=strategy)
        AuditEvent.record(actor, "invitation.created", invitation, stakeholder=stakeholder.id)
    logger.info("Invitation %s issued to stakeholder %s by %s", invitation.id, stakeholder.id, actor)
    return invitation, token


def accept_invitation(invitation):
    """Record that the invitation's owner continued into the portal."""
    now = utcnow()
    with transaction():
        if invitation.first_used_at is None:
            invitation.first_used_at = now
        invitation.last_used_at = now
        invitation.save(only=[Invitation.first_used_at, Invitation.last_used_at])
        AuditEvent.record(f"stakeholder:{invitation.stakeholder_id}", "invitation.accepted", invitation)
    logger.info("Invitation %s accepted by stakeholder %s", invitation.id, invitation.stakeholder_id)
