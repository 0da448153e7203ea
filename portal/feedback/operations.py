"""Starting threads, commenting, and replying, with the email a reply causes."""

import datetime
import logging
import zoneinfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.feedback.models import Comment, Thread
from portal.mail.operations import queue_message
from portal.plan.models import MonitoringPeriod

logger = logging.getLogger(__name__)


def period_containing(plan, moment):
    """Return the plan's period whose window contains the UTC moment in the district's time zone."""
    local_day = (
        moment.replace(tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo(plan.time_zone)).date()
    )
    return (
        MonitoringPeriod.select()
        .where(
            (MonitoringPeriod.plan == plan)
            & (MonitoringPeriod.starts_on <= local_day)
            & (MonitoringPeriod.ends_on >= local_day)
        )
        .first()
    )


def start_thread(stakeholder, strategy, benchmark, body, language):
    """Create a thread with the stakeholder's first comment; return the thread."""
    now = utcnow()
    with transaction():
        period = benchmark.period if benchmark is not None else period_containing(strategy.plan, now)
        thread = Thread.create(
            plan=strategy.plan,
            strategy=strategy,
            benchmark=benchmark,
            period=period,
            stakeholder=stakeholder,
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


def queue_reply_email(thread, staff_user, comment):
    """Queue the reply notification in the stakeholder's language."""
    stakeholder = thread.stakeholder
    thread_url = f"{current_app.config['BASE_URL']}/threads/{thread.id}"
    context = {
        "thread": thread,
        "staff_user": staff_user,
        "comment": comment,
        "thread_url": thread_url,
        "district": thread.plan.lea_name,
    }
    with force_locale(stakeholder.language):
        subject = _("%(name)s replied to your comment on the equity plan", name=staff_user.display_name)
        body_text = render_template("mail/reply.txt", **context)
        body_html = render_template("mail/reply.html", **context)
    return queue_message(
        stakeholder.email, subject, body_text, body_html, kind="reply", created_by=staff_user
    )
