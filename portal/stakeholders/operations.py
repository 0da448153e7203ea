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
        elif stakeholder.removed_at is not None:
            raise DomainError(f"{email} was taken off the roster; put them back on the roster page before inviting them.")
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


def send_new_link(email):
    """Email a new invitation link if the address belongs to an eligible stakeholder.

    Returns whether a link was queued. Callers show the same page either way, so it never
    reveals who is on the district's list. A stakeholder whose latest
    invitation staff revoked gets nothing, so a revocation sticks.
    """
    stakeholder = Stakeholder.get_or_none(Stakeholder.email == normalize_email(email))
    latest = None
    if stakeholder is not None:
        latest = (
            Invitation.select()
            .where(Invitation.stakeholder == stakeholder)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .first()
        )
    if latest is None or latest.revoked_at is not None or stakeholder.removed_at is not None:
        logger.info("New link requested for an address that gets none")
        return False

    scope = [link.strategy for link in latest.scoped_strategies] if not latest.whole_plan else []
    language = stakeholder.language if stakeholder.language in current_app.config["LANGUAGES"] else "en"
    with transaction():
        invitation, token = invite_stakeholder(
            latest.plan,
            stakeholder.email,
            stakeholder.group.key,
            f"stakeholder:{stakeholder.id}",
            stakeholder.name,
            language,
            scope,
            stakeholder.school,
        )
        queue_invitation_email(invitation, token)
    logger.info("New invitation %s emailed to stakeholder %s on request", invitation.id, stakeholder.id)
    return True


def queue_invitation_email(invitation, token, send_after=None):
    """Queue the invitation email in the stakeholder's language; call inside a transaction."""
    from portal.mail.operations import queue_message

    stakeholder = invitation.stakeholder
    subject, body_text, body_html = render_invitation_email(
        invitation.plan,
        stakeholder.language,
        invitation_url(token),
        local_expiry_date(invitation),
        invitation.campaign if invitation.campaign_id else None,
    )
    return queue_message(stakeholder.email, subject, body_text, body_html, kind="invitation", send_after=send_after)


def render_invitation_email(plan, language, link, expires_on, campaign=None):
    """Return (subject, text, HTML) of an invitation email in the language.

    An invitation from a campaign says which period the district asks about and until when.
    """
    from flask import render_template
    from flask_babel import force_locale
    from flask_babel import gettext as _

    context = {"link": link, "district": plan.lea_name, "expires_on": expires_on, "campaign": campaign}
    with force_locale(language):
        subject = _("Your link to comment on the %(district)s equity plan", district=plan.lea_name)
        body_text = render_template("mail/invitation.txt", **context)
        body_html = render_template("mail/invitation.html", **context)
    return subject, body_text, body_html


def local_expiry_date(invitation):
    """Return the last day, in the district's time zone, on which the link works."""
    return last_local_day(invitation.expires_at, invitation.plan.time_zone)


def last_local_day(moment, time_zone):
    """Return the district's date of the last instant before a naive UTC moment."""
    from portal.plan.status import local_date

    return local_date(moment - datetime.timedelta(microseconds=1), time_zone)
