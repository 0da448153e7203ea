"""Starting threads, commenting, and replying, with the email a reply causes."""

import datetime
import logging
import zoneinfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.feedback.forms import OUTCOME_LABELS
from portal.feedback.models import Comment, Thread, ThreadTheme
from portal.mail.notifications import stop_notifications_url, unsubscribe_headers
from portal.mail.operations import queue_message
from portal.plan.models import MonitoringPeriod
from portal.stakeholders.models import Stakeholder

logger = logging.getLogger(__name__)


def period_containing(plan, moment):
    """Return the plan's period whose window contains the UTC moment in the district's time zone.

    A closed period's input summary is frozen, so when that period is closed the next period
    that is not closed is returned instead (None when there is none).
    """
    local_day = (
        moment.replace(tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo(plan.time_zone)).date()
    )
    containing = (
        MonitoringPeriod.select()
        .where(
            (MonitoringPeriod.plan == plan)
            & (MonitoringPeriod.starts_on <= local_day)
            & (MonitoringPeriod.ends_on >= local_day)
        )
        .first()
    )
    if containing is None or containing.state != "closed":
        return containing
    return next_period_not_closed(plan, containing)


def next_period_not_closed(plan, period):
    """Return the first period after period that is not closed, or None."""
    return (
        MonitoringPeriod.select()
        .where(
            (MonitoringPeriod.plan == plan)
            & (MonitoringPeriod.state != "closed")
            & (MonitoringPeriod.starts_on > period.starts_on)
        )
        .order_by(MonitoringPeriod.starts_on)
        .first()
    )


def thread_period(strategy, benchmark, moment):
    """Return the period a new thread counts in: its benchmark's, or the one containing moment.

    Input on a benchmark whose period is closed counts in the next period that is not.
    """
    if benchmark is None:
        return period_containing(strategy.plan, moment)
    if benchmark.period.state != "closed":
        return benchmark.period
    return next_period_not_closed(strategy.plan, benchmark.period)


def start_thread(stakeholder, strategy, benchmark, body, language, hide_name=None):
    """Create a thread with the stakeholder's first comment; return the thread.

    hide_name, when given, records whether the stakeholder keeps their name from staff.
    """
    now = utcnow()
    with transaction():
        if hide_name is not None and stakeholder.show_name_to_staff == hide_name:
            stakeholder.show_name_to_staff = not hide_name
            stakeholder.save(only=[Stakeholder.show_name_to_staff])
        period = thread_period(strategy, benchmark, now)
        thread = Thread.create(
            plan=strategy.plan,
            strategy=strategy,
            benchmark=benchmark,
            period=period,
            stakeholder=stakeholder,
            language=language,
            created_at=now,
            last_activity_at=now,
        )
        comment = Comment.create(thread=thread, stakeholder=stakeholder, body=body, language=language, created_at=now)
        AuditEvent.record(f"stakeholder:{stakeholder.id}", "comment.posted", comment, thread=thread.id)
    logger.info("Stakeholder %s started thread %s on strategy %s", stakeholder.id, thread.id, strategy.id)
    return thread


def answer_back(thread, stakeholder, body, language):
    """Add the stakeholder's answer to a thread, which then awaits a reply again."""
    now = utcnow()
    with transaction():
        comment = Comment.create(thread=thread, stakeholder=stakeholder, body=body, language=language, created_at=now)
        Thread.update(state="awaiting_reply", last_activity_at=now).where(Thread.id == thread.id).execute()
        AuditEvent.record(f"stakeholder:{stakeholder.id}", "comment.posted", comment, thread=thread.id)
    logger.info("Stakeholder %s answered in thread %s", stakeholder.id, thread.id)
    return comment


def reply(thread, staff_user, body):
    """Add the point person's reply and queue the email that notifies the stakeholder."""
    now = utcnow()
    stakeholder = thread.stakeholder
    with transaction():
        comment = Comment.create(thread=thread, staff=staff_user, body=body, language="", created_at=now)
        Thread.update(state="answered", last_activity_at=now).where(Thread.id == thread.id).execute()
        if stakeholder.notifications_enabled:
            queue_reply_email(thread, staff_user, comment)
        AuditEvent.record(staff_user.get_id(), "comment.replied", comment, thread=thread.id)
    logger.info("Staff user %s replied in thread %s", staff_user.id, thread.id)
    return comment


def thread_link(thread):
    """Return the thread's address for an email, with the stakeholder's language.

    The link may be opened on a device with no session, where the page asking for an
    invitation link would otherwise follow the browser's language.
    """
    return f"{current_app.config['BASE_URL']}/threads/{thread.id}?lang={thread.stakeholder.language}"


def queue_reply_email(thread, staff_user, comment):
    """Queue the reply notification in the stakeholder's language, with a link that stops such email."""
    stakeholder = thread.stakeholder
    thread_url = thread_link(thread)
    stop_url = stop_notifications_url(stakeholder)
    context = {
        "thread": thread,
        "staff_user": staff_user,
        "comment": comment,
        "thread_url": thread_url,
        "stop_url": stop_url,
        "district": thread.plan.lea_name,
    }
    with force_locale(stakeholder.language):
        subject = _("%(name)s replied to your comment on the equity plan", name=staff_user.display_name)
        body_text = render_template("mail/reply.txt", **context)
        body_html = render_template("mail/reply.html", **context)
    return queue_message(
        stakeholder.email,
        subject,
        body_text,
        body_html,
        kind="reply",
        created_by=staff_user,
        headers=unsubscribe_headers(stop_url),
    )


def add_note(thread, staff_user, body):
    """Add an internal staff note, which stakeholders never see and which changes no state."""
    with transaction():
        comment = Comment.create(thread=thread, staff=staff_user, body=body, language="", internal=True)
        AuditEvent.record(staff_user.get_id(), "comment.noted", comment, thread=thread.id)
    logger.info("Staff user %s added a note to thread %s", staff_user.id, thread.id)
    return comment


def assign(thread, staff_user, assignee):
    """Hand the thread to another point person, who then replies in it."""
    with transaction():
        previous = thread.assigned_to_id
        Thread.update(assigned_to=assignee).where(Thread.id == thread.id).execute()
        AuditEvent.record(staff_user.get_id(), "thread.assigned", thread, old=previous, new=assignee.id)
    logger.info("Staff user %s handed thread %s to staff user %s", staff_user.id, thread.id, assignee.id)


def set_themes(thread, staff_user, themes):
    """Replace the thread's themes with the given Theme rows."""
    new_ids = sorted(theme.id for theme in themes)
    with transaction():
        old_ids = sorted(link.theme_id for link in ThreadTheme.select().where(ThreadTheme.thread == thread))
        ThreadTheme.delete().where(ThreadTheme.thread == thread).execute()
        for theme_id in new_ids:
            ThreadTheme.create(thread=thread, theme=theme_id)
        AuditEvent.record(staff_user.get_id(), "thread.themes_set", thread, old=old_ids, new=new_ids)
    logger.info("Staff user %s set %s themes on thread %s", staff_user.id, len(new_ids), thread.id)


def close_thread(thread, staff_user, outcome, note, reflection):
    """Close the loop with an outcome, and tell the stakeholder what came of their comment."""
    now = utcnow()
    with transaction():
        Thread.update(
            state="closed", outcome=outcome, outcome_note=note, reflection=reflection, closed_at=now, closed_by=staff_user
        ).where(Thread.id == thread.id).execute()
        thread = Thread.get_by_id(thread.id)
        if thread.stakeholder.notifications_enabled:
            queue_stakeholder_email(thread, staff_user, "closed", "mail/closed", note=note, outcome=outcome)
        AuditEvent.record(staff_user.get_id(), "thread.closed", thread, outcome=outcome)
    logger.info("Staff user %s closed thread %s (%s)", staff_user.id, thread.id, outcome)
    return thread


def hide_comment(comment, staff_user, reason):
    """Hide a comment from everyone but staff, keep it stored, and tell its author why."""
    now = utcnow()
    with transaction():
        Comment.update(hidden_at=now, hidden_reason=reason, hidden_by=staff_user).where(Comment.id == comment.id).execute()
        thread = comment.thread
        author = comment.stakeholder
        if author is not None and author.notifications_enabled:
            queue_stakeholder_email(thread, staff_user, "hidden", "mail/hidden", note=reason)
        AuditEvent.record(staff_user.get_id(), "comment.hidden", comment, reason=reason)
    logger.info("Staff user %s hid comment %s", staff_user.id, comment.id)


def rate_reply(comment, stakeholder, helpful):
    """Record whether the stakeholder found a staff reply helpful; a new rating replaces the old."""
    with transaction():
        Comment.update(helpful=helpful, rated_at=utcnow()).where(Comment.id == comment.id).execute()
        AuditEvent.record(f"stakeholder:{stakeholder.id}", "comment.rated", comment, helpful=helpful)
    logger.info("Stakeholder %s rated reply %s", stakeholder.id, comment.id)


def queue_stakeholder_email(thread, staff_user, kind, template, **extra):
    """Queue an email about the thread to its stakeholder, in their language."""
    stakeholder = thread.stakeholder
    stop_url = stop_notifications_url(stakeholder)
    context = {
        "thread": thread,
        "staff_user": staff_user,
        "thread_url": thread_link(thread),
        "stop_url": stop_url,
        "district": thread.plan.lea_name,
        **extra,
    }
    subjects = {
        "closed": lambda: _("What the district did about your comment"),
        "hidden": lambda: _("Your comment on the equity plan was hidden"),
    }
    with force_locale(stakeholder.language):
        subject = subjects[kind]()
        if "outcome" in extra:
            context["outcome_label"] = str(OUTCOME_LABELS[extra["outcome"]])
        body_text = render_template(f"{template}.txt", **context)
        body_html = render_template(f"{template}.html", **context)
    return queue_message(
        stakeholder.email, subject, body_text, body_html, kind=kind, created_by=staff_user, headers=unsubscribe_headers(stop_url)
    )
