"""Invitation campaigns: one round of invitations per monitoring period, and what became of each."""

import datetime
import json
import logging
import secrets
import zoneinfo

import markupsafe
import peewee as pw
from flask import current_app

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.errors import DomainError
from portal.feedback.models import Comment, PulseAnswer
from portal.mail.models import OutboxMessage
from portal.plan.status import plan_today
from portal.stakeholders.models import (
    Campaign,
    CampaignStrategy,
    Invitation,
    InvitationStrategy,
    Stakeholder,
    StakeholderGroup,
    hash_token,
)
from portal.stakeholders.operations import (
    TOKEN_BYTES,
    invitation_url,
    last_local_day,
    queue_invitation_email,
    render_invitation_email,
)

logger = logging.getLogger(__name__)

# Each invitee's state, in the order a campaign page lists and filters them.
INVITEE_STATES = ("queued", "sent", "failed", "opened", "commented", "expired", "replaced", "revoked")


def end_of_day_utc(day, time_zone):
    """Return the naive UTC moment at which the district's day ends."""
    local_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zoneinfo.ZoneInfo(time_zone))
    return local_end.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def create_campaign(plan, period, name, opens_on, closes_on, links_expire_on, strategies, group_keys, staff_user):
    """Save a campaign without sending it. The caller has checked the dates."""
    with transaction():
        campaign = Campaign.create(
            plan=plan,
            period=period,
            name=name,
            opens_on=opens_on,
            closes_on=closes_on,
            links_expire_on=links_expire_on,
            whole_plan=not strategies,
            group_keys=json.dumps(sorted(group_keys)),
            created_by=staff_user,
        )
        for strategy in strategies:
            CampaignStrategy.create(campaign=campaign, strategy=strategy)
        AuditEvent.record(staff_user.get_id(), "campaign.created", campaign, period=period.key)
    logger.info("Campaign %s created by staff user %s", campaign.id, staff_user.id)
    return campaign


def audience(campaign):
    """Return the stakeholders the campaign invites: its groups, or everyone."""
    query = Stakeholder.select(Stakeholder, StakeholderGroup).join(StakeholderGroup).where(Stakeholder.removed_at.is_null())
    if campaign.groups():
        query = query.where(StakeholderGroup.key.in_(campaign.groups()))
    return query.order_by(Stakeholder.id)


def not_yet_invited(campaign):
    """Return the audience members without a current invitation in this campaign."""
    current = Invitation.select(Invitation.stakeholder).where(
        (Invitation.campaign == campaign) & Invitation.replaced_at.is_null() & Invitation.revoked_at.is_null()
    )
    return audience(campaign).where(Stakeholder.id.not_in(current))


def send_campaign(campaign, staff_user, now=None):
    """Issue an invitation to everyone in the audience not yet invited, and queue the emails.

    Invitations are written CAMPAIGN_BATCH_SIZE at a time, one transaction each, and each
    batch's email is due CAMPAIGN_BATCH_SECONDS after the previous batch's. Sending again
    later reaches only people added to the roster since. Returns how many were invited.
    """
    if campaign.revoked_at is not None:
        raise DomainError("This campaign was revoked, so it cannot send invitations. Create a new campaign.")
    now = now or utcnow()
    if campaign.links_expire_on < plan_today(campaign.plan):
        raise DomainError("The campaign's links would already have expired. Set a later expiry date first.")
    batch_size = current_app.config["CAMPAIGN_BATCH_SIZE"]
    interval = datetime.timedelta(seconds=current_app.config["CAMPAIGN_BATCH_SECONDS"])
    strategy_ids = [link.strategy_id for link in campaign.scoped_strategies]
    invited = 0
    batch_number = 0
    while True:
        batch = list(not_yet_invited(campaign).limit(batch_size))
        if not batch:
            break
        with transaction():
            issue_batch(campaign, batch, strategy_ids, send_after=now + batch_number * interval)
            Campaign.update(sent_at=pw.fn.COALESCE(Campaign.sent_at, now)).where(Campaign.id == campaign.id).execute()
        invited += len(batch)
        batch_number += 1
        logger.info("Campaign %s: queued batch %s of %s invitations", campaign.id, batch_number, len(batch))
    with transaction():
        AuditEvent.record(staff_user.get_id(), "campaign.sent", campaign, invited=invited)
    logger.info("Campaign %s sent by staff user %s to %s stakeholders", campaign.id, staff_user.id, invited)
    return invited


def issue_batch(campaign, stakeholders, strategy_ids, send_after):
    """Insert invitations and their queued emails for stakeholders, inside the caller's transaction.

    Rows go in with one INSERT per table. Each email is rendered once per language and the
    personal link substituted, which keeps a 20,000-person campaign to seconds.
    """
    expires_at = end_of_day_utc(campaign.links_expire_on, campaign.plan.time_zone)
    tokens = {stakeholder.id: secrets.token_urlsafe(TOKEN_BYTES) for stakeholder in stakeholders}
    templates = {}
    messages = []
    for stakeholder in stakeholders:
        if stakeholder.language not in templates:
            templates[stakeholder.language] = render_invitation_email(
                campaign.plan, stakeholder.language, LINK_PLACEHOLDER, last_local_day(expires_at, campaign.plan.time_zone), campaign
            )
        subject, body_text, body_html = templates[stakeholder.language]
        link = invitation_url(tokens[stakeholder.id])
        messages.append(
            {
                "recipient": stakeholder.email,
                "subject": subject,
                "body_text": body_text.replace(LINK_PLACEHOLDER, link),
                "body_html": body_html.replace(LINK_PLACEHOLDER, str(markupsafe.escape(link))),
                "kind": "invitation",
                "next_attempt_at": send_after,
                "created_at": utcnow(),
                "headers": "{}",
            }
        )
    # Recipients are unique within a batch, so the returned ids are matched by address.
    inserted = OutboxMessage.insert_many(messages).returning(OutboxMessage.id, OutboxMessage.recipient).tuples().execute()
    message_ids = {recipient: message_id for message_id, recipient in inserted}
    created = utcnow()
    rows = [
        {
            "plan": campaign.plan_id,
            "stakeholder": stakeholder.id,
            "token_hash": hash_token(tokens[stakeholder.id]),
            "whole_plan": not strategy_ids,
            "created_at": created,
            "expires_at": expires_at,
            "campaign": campaign.id,
            "message": message_ids[stakeholder.email],
        }
        for stakeholder in stakeholders
    ]
    invitation_ids = [row[0] for row in Invitation.insert_many(rows).returning(Invitation.id).tuples().execute()]
    if strategy_ids:
        InvitationStrategy.insert_many(
            [{"invitation": invitation_id, "strategy": strategy_id} for invitation_id in invitation_ids for strategy_id in strategy_ids]
        ).execute()


# Stands in for the personal link while an email is rendered once for many people. It
# contains no character that HTML escaping changes.
LINK_PLACEHOLDER = "INVITATION-LINK-0c1d9e"


def issue_invitation(campaign, stakeholder, strategy_ids):
    """Issue one campaign invitation and queue its email, inside the caller's transaction."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation.create(
        plan=campaign.plan_id,
        stakeholder=stakeholder,
        token_hash=hash_token(token),
        whole_plan=not strategy_ids,
        expires_at=end_of_day_utc(campaign.links_expire_on, campaign.plan.time_zone),
        campaign=campaign,
    )
    for strategy_id in strategy_ids:
        InvitationStrategy.create(invitation=invitation, strategy=strategy_id)
    invitation.stakeholder = stakeholder
    invitation.campaign = campaign
    invitation.message = queue_invitation_email(invitation, token)
    invitation.save(only=[Invitation.message])
    return invitation


def resend_invitation(invitation, staff_user):
    """Retire the link and email the stakeholder a new one with the same campaign and scope."""
    if invitation.revoked_at is not None:
        raise DomainError("This invitation was revoked, and a revoked link is not sent again. Invite the person anew.")
    if invitation.replaced_at is not None:
        raise DomainError("A newer link was already sent in place of this one. Resend the newest one instead.")
    now = utcnow()
    strategy_ids = [link.strategy_id for link in invitation.scoped_strategies]
    with transaction():
        Invitation.update(replaced_at=now).where(Invitation.id == invitation.id).execute()
        if invitation.campaign_id is not None:
            new = issue_invitation(invitation.campaign, invitation.stakeholder, strategy_ids)
        else:
            new = issue_plain_invitation(invitation, strategy_ids)
        cancel_queued_message(invitation)
        AuditEvent.record(staff_user.get_id(), "invitation.resent", invitation, replaced_by=new.id)
    logger.info("Invitation %s replaced by %s on request of staff user %s", invitation.id, new.id, staff_user.id)
    return new


def issue_plain_invitation(old, strategy_ids):
    """Issue a link with the scope of old, an invitation outside any campaign, inside the caller's transaction."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    new = Invitation.create(
        plan=old.plan_id,
        stakeholder=old.stakeholder_id,
        token_hash=hash_token(token),
        whole_plan=old.whole_plan,
        expires_at=utcnow() + datetime.timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    for strategy_id in strategy_ids:
        InvitationStrategy.create(invitation=new, strategy=strategy_id)
    new.stakeholder = old.stakeholder
    new.message = queue_invitation_email(new, token)
    new.save(only=[Invitation.message])
    return new


def cancel_queued_message(invitation):
    """Cancel the invitation's email if it has not gone out yet, so a retired link is not delivered."""
    if invitation.message_id is not None:
        OutboxMessage.update(state="cancelled").where(
            (OutboxMessage.id == invitation.message_id) & (OutboxMessage.state == "queued")
        ).execute()


def revoke_invitations(query, staff_user, action, obj):
    """Revoke the usable invitations in query, cancel their unsent email and return how many were revoked."""
    now = utcnow()
    with transaction():
        usable = list(query.where(Invitation.revoked_at.is_null() & Invitation.replaced_at.is_null()))
        ids = [invitation.id for invitation in usable]
        if ids:
            Invitation.update(revoked_at=now).where(Invitation.id.in_(ids)).execute()
            message_ids = [invitation.message_id for invitation in usable if invitation.message_id]
            if message_ids:
                OutboxMessage.update(state="cancelled").where(
                    OutboxMessage.id.in_(message_ids) & (OutboxMessage.state == "queued")
                ).execute()
        AuditEvent.record(staff_user.get_id(), action, obj, revoked=len(ids))
    logger.info("Staff user %s revoked %s invitations (%s %s)", staff_user.id, len(ids), action, obj.id)
    return len(ids)


def revoke_invitation(invitation, staff_user):
    return revoke_invitations(
        Invitation.select().where(Invitation.id == invitation.id), staff_user, "invitation.revoked", invitation
    )


def revoke_stakeholder(stakeholder, staff_user):
    """Revoke all of a stakeholder's links, in every campaign."""
    return revoke_invitations(
        Invitation.select().where(Invitation.stakeholder == stakeholder),
        staff_user,
        "stakeholder.invitations_revoked",
        stakeholder,
    )


def remove_from_roster(stakeholder, staff_user):
    """Take the stakeholder off the roster and revoke their links; return how many links were revoked."""
    with transaction():
        Stakeholder.update(removed_at=utcnow()).where(Stakeholder.id == stakeholder.id).execute()
        AuditEvent.record(staff_user.get_id(), "stakeholder.removed", stakeholder)
        revoked = revoke_stakeholder(stakeholder, staff_user)
    logger.info("Staff user %s removed stakeholder %s from the roster", staff_user.id, stakeholder.id)
    return revoked


def restore_to_roster(stakeholder, staff_user):
    """Put a removed stakeholder back on the roster; the next campaign invites them again."""
    with transaction():
        Stakeholder.update(removed_at=None).where(Stakeholder.id == stakeholder.id).execute()
        AuditEvent.record(staff_user.get_id(), "stakeholder.restored", stakeholder)
    logger.info("Staff user %s restored stakeholder %s to the roster", staff_user.id, stakeholder.id)


def revoke_campaign(campaign, staff_user):
    """Revoke every link of the campaign and stop it from sending more."""
    count = revoke_invitations(
        Invitation.select().where(Invitation.campaign == campaign), staff_user, "campaign.revoked", campaign
    )
    with transaction():
        Campaign.update(revoked_at=utcnow()).where(Campaign.id == campaign.id).execute()
    return count


def invitee_state_sql(campaign, now):
    """Return an SQL expression of each invitation's state (see INVITEE_STATES).

    The query must join the invitation's OutboxMessage, as invitees() and state_counts() do.
    """
    return pw.Case(
        None,
        [
            (Invitation.revoked_at.is_null(False), "revoked"),
            (Invitation.replaced_at.is_null(False), "replaced"),
            (Invitation.expires_at <= now, "expired"),
            (Invitation.stakeholder.in_(participant_ids(campaign)), "commented"),
            (Invitation.first_used_at.is_null(False), "opened"),
            (OutboxMessage.state == "sent", "sent"),
            (OutboxMessage.state.in_(["failed", "cancelled"]), "failed"),
        ],
        "queued",
    )


def participant_ids(campaign):
    """Return a subquery of the invitees who commented or answered a pulse question during the campaign.

    Only what a person did after their first link from this campaign was created, and before
    comments closed, counts.
    """
    end = end_of_day_utc(campaign.closes_on, campaign.plan.time_zone)
    first_links = (
        Invitation.select(Invitation.stakeholder, pw.fn.MIN(Invitation.created_at).alias("invited_at"))
        .where(Invitation.campaign == campaign)
        .group_by(Invitation.stakeholder)
        .alias("first_link")
    )
    commenters = (
        Comment.select(Comment.stakeholder)
        .join(first_links, on=(Comment.stakeholder == first_links.c.stakeholder_id))
        .where((Comment.created_at >= first_links.c.invited_at) & (Comment.created_at < end))
    )
    answerers = (
        PulseAnswer.select(PulseAnswer.stakeholder)
        .join(first_links, on=(PulseAnswer.stakeholder == first_links.c.stakeholder_id))
        .where((PulseAnswer.answered_at >= first_links.c.invited_at) & (PulseAnswer.answered_at < end))
    )
    return commenters | answerers


def invitees(campaign, now, state=None):
    """Return the campaign's invitations, newest first, each with .invitee_state, filtered to one state if given."""
    state_sql = invitee_state_sql(campaign, now)
    query = (
        Invitation.select(Invitation, Stakeholder, StakeholderGroup, OutboxMessage, state_sql.alias("invitee_state"))
        .join(Stakeholder)
        .join(StakeholderGroup)
        .switch(Invitation)
        .join(OutboxMessage, pw.JOIN.LEFT_OUTER, on=(Invitation.message == OutboxMessage.id))
        .where(Invitation.campaign == campaign)
        .order_by(Invitation.id.desc())
    )
    if state:
        query = query.where(state_sql == state)
    return query


def state_counts(campaign, now):
    """Return {state: number of invitations} over INVITEE_STATES, in one query."""
    state_sql = invitee_state_sql(campaign, now)
    rows = (
        Invitation.select(state_sql.alias("state"), pw.fn.COUNT(Invitation.id).alias("invitations"))
        .join(OutboxMessage, pw.JOIN.LEFT_OUTER, on=(Invitation.message == OutboxMessage.id))
        .where(Invitation.campaign == campaign)
        # By position: PostgreSQL does not match the CASE in GROUP BY to the one in SELECT,
        # because each copy gets its own query parameters.
        .group_by(pw.SQL("1"))
        .tuples()
    )
    counts = dict.fromkeys(INVITEE_STATES, 0)
    counts.update(dict(rows))
    return counts


def participation(campaign):
    """Return invited against participated, by group and by school.

    Each person counts once however many links they were sent. The result is
    {"groups": [(group, invited, participated)], "schools": [(school, invited, participated)],
    "total": (invited, participated)}.
    """
    invited_ids = Invitation.select(Invitation.stakeholder).where(Invitation.campaign == campaign)
    took_part = pw.fn.SUM(pw.Case(None, [(Stakeholder.id.in_(participant_ids(campaign)), 1)], 0))
    base = Stakeholder.select(pw.fn.COUNT(Stakeholder.id).alias("invited"), took_part.alias("participated")).where(
        Stakeholder.id.in_(invited_ids)
    )
    groups = (
        base.select_extend(StakeholderGroup.id, StakeholderGroup.key, StakeholderGroup.label, StakeholderGroup.position)
        .join(StakeholderGroup)
        .group_by(StakeholderGroup.id, StakeholderGroup.key, StakeholderGroup.label, StakeholderGroup.position)
        .order_by(StakeholderGroup.position)
        .objects()
    )
    schools = base.select_extend(Stakeholder.school).group_by(Stakeholder.school).order_by(Stakeholder.school).objects()
    group_rows = [(row, row.invited, int(row.participated or 0)) for row in groups]
    school_rows = [(row.school, row.invited, int(row.participated or 0)) for row in schools]
    total = (sum(row[1] for row in group_rows), sum(row[2] for row in group_rows))
    return {"groups": group_rows, "schools": school_rows, "total": total}


def comment_window_notice(invitation):
    """Return why the invitation's holder cannot comment today, or None when they can.

    Only campaign invitations have a comment window; a link issued on its own has none.
    """
    from flask_babel import format_date
    from flask_babel import gettext as _

    if invitation is None or invitation.campaign_id is None:
        return None
    campaign = invitation.campaign
    today = plan_today(campaign.plan)
    if today < campaign.opens_on:
        return _(
            "Comments for this round open on %(date)s. Until then you can read the plan.",
            date=format_date(campaign.opens_on, "long"),
        )
    if today > campaign.closes_on:
        return _(
            "Comments for this round closed on %(date)s. You can still read the plan and the replies to your comments.",
            date=format_date(campaign.closes_on, "long"),
        )
    return None
