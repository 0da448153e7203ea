"""Queueing email in the outbox and delivering it."""

import datetime
import json
import logging
import smtplib
import socket

from flask import current_app
from flask_mail import Message

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.errors import Conflict
from portal.extensions import mail
from portal.mail.models import OutboxMessage

logger = logging.getLogger(__name__)

# A message that still fails this long after it was queued is marked failed.
GIVE_UP_AFTER = datetime.timedelta(hours=24)
FIRST_RETRY_DELAY = datetime.timedelta(minutes=1)
MAX_RETRY_DELAY = datetime.timedelta(hours=1)


def queue_message(recipient, subject, body_text, body_html="", kind="", created_by=None, headers=None, send_after=None):
    """Add a message to the outbox; call inside the transaction that causes it.

    headers maps extra header names to values, such as List-Unsubscribe. send_after (UTC)
    holds the message back until then.
    """
    return OutboxMessage.create(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        created_by=created_by,
        headers=json.dumps(headers or {}, sort_keys=True),
        next_attempt_at=send_after or utcnow(),
    )


def retry_delay(attempts):
    """Return how long to wait after the given number of failed attempts (doubling, capped)."""
    doublings = min(max(attempts - 1, 0), 10)  # 2**10 minutes is past the cap already
    return min(FIRST_RETRY_DELAY * (2**doublings), MAX_RETRY_DELAY)


def deliver_due(now=None):
    """Send the queued messages that are due; return (sent, retrying, failed) counts."""
    now = now or utcnow()
    batch = list(OutboxMessage.due(now, current_app.config["MAIL_BATCH_SIZE"]))
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    if not batch:
        return counts
    handled = set()
    try:
        with mail.connect() as connection:
            for message in batch:
                counts[deliver_one(connection, message, now)] += 1
                handled.add(message.id)
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        # The connection failed or dropped: every message not yet handled waits for a retry.
        logger.warning("Mail server %s failed: %s", current_app.config["MAIL_SERVER"], error)
        for message in batch:
            if message.id not in handled:
                counts[record_failure(message, error, now)] += 1
    return counts


def deliver_one(connection, message, now):
    """Send one message on an open connection and record the outcome."""
    email = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html or None,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=json.loads(message.headers or "{}") or None,
    )
    try:
        connection.send(email)
    except smtplib.SMTPServerDisconnected:
        raise
    except smtplib.SMTPException as error:
        return record_failure(message, error, now)
    with transaction():
        OutboxMessage.update(state="sent", sent_at=utcnow(), attempts=OutboxMessage.attempts + 1, last_error="").where(
            OutboxMessage.id == message.id
        ).execute()
    message.state = "sent"
    message.sent_at = now
    logger.info("Sent outbox message %s (%s)", message.id, message.kind)
    return "sent"


def record_failure(message, error, now):
    """Schedule a retry, or mark the message failed once it has been tried for a day."""
    attempts = message.attempts + 1
    give_up = now - message.created_at >= GIVE_UP_AFTER
    state = "failed" if give_up else "queued"
    with transaction():
        OutboxMessage.update(
            attempts=attempts,
            state=state,
            last_error=str(error)[:1000],
            next_attempt_at=now + retry_delay(attempts),
        ).where(OutboxMessage.id == message.id).execute()
    message.state = state
    logger.warning("Outbox message %s attempt %s failed (%s): %s", message.id, attempts, state, error)
    return "failed" if give_up else "retrying"


def resend(message, actor):
    """Queue a failed message again, due now, and return it reloaded.

    The attempt count is kept. Raises Conflict unless the message is failed.
    NOTE: record_failure gives up on any message queued more than GIVE_UP_AFTER ago, so a
    resent message gets one attempt and is failed again if that attempt fails.
    """
    with transaction():
        updated = (
            OutboxMessage.update(state="queued", next_attempt_at=utcnow())
            .where((OutboxMessage.id == message.id) & (OutboxMessage.state == "failed"))
            .execute()
        )
        current = OutboxMessage.get_by_id(message.id)
        if not updated:
            raise Conflict(
                f"Message {message.id} was not resent because it is {current.state}, not failed. "
                "Only failed messages can be resent; reload the outbox to see its state."
            )
        AuditEvent.record(actor, "mail.resent", current, attempts=current.attempts)
    logger.info("Outbox message %s queued again by %s after %s attempts", message.id, actor, current.attempts)
    return current
