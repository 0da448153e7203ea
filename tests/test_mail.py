"""The outbox: queueing email in a transaction, delivery over SMTP, retries and giving up."""

import datetime
import email
import email.policy
import re

import pytest

from portal.db import database, transaction, utcnow
from portal.mail.models import OutboxMessage
from portal.mail.operations import deliver_due, queue_message, retry_delay
from portal.stakeholders.models import Stakeholder
from tests.conftest import Auth, free_port

RECIPIENT = "parent@mail.example.com"
SUBJECT = "Your comment on the equity plan"
TEXT = "Plain-text body."
HTML = "<p>HTML body.</p>"


def queue(recipient=RECIPIENT):
    with transaction():
        return queue_message(recipient, SUBJECT, TEXT, HTML, kind="test")


def reload(message):
    return OutboxMessage.get_by_id(message.id)


def received(sink):
    """Return every message the SMTP server received as an (envelope, parsed EmailMessage) pair."""
    return [(envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)) for envelope in sink.messages]


def content_types(parsed):
    return {part.get_content_type() for part in parsed.walk()}


def send_mail(runner):
    """Run `portal send-mail`, then reopen the test's database connection if the command closed it."""
    result = runner.invoke(args=["portal", "send-mail"])
    database.connect(reuse_if_open=True)
    return result


# Delivery to a listening SMTP server


def test_deliver_due_sends_message(app, smtp_server):
    message = queue()

    counts = deliver_due()

    messages = received(smtp_server)
    assert counts == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(messages) == 1
    envelope, parsed = messages[0]
    assert envelope.rcpt_tos == [RECIPIENT]
    assert parsed["To"] == RECIPIENT
    assert parsed["Subject"] == SUBJECT
    assert parsed["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert "text/plain" in content_types(parsed)
    assert "text/html" in content_types(parsed)
    assert reload(message).state == "sent"
    assert reload(message).sent_at is not None


def test_deliver_due_sends_once(app, smtp_server):
    message = queue()
    deliver_due()

    counts = deliver_due()

    assert counts == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(smtp_server.messages) == 1
    assert reload(message).attempts == 1


def test_send_mail_command_sends_once(app, runner, smtp_server):
    message = queue()

    first = send_mail(runner)
    second = send_mail(runner)

    messages = received(smtp_server)
    assert first.exit_code == 0, first.output
    assert "Sent 1" in first.output
    assert second.exit_code == 0, second.output
    assert "Sent 0" in second.output
    assert len(messages) == 1
    envelope, parsed = messages[0]
    assert envelope.rcpt_tos == [RECIPIENT]
    assert parsed["Subject"] == SUBJECT
    assert parsed["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert "text/plain" in content_types(parsed)
    assert "text/html" in content_types(parsed)
    assert reload(message).state == "sent"
    assert reload(message).sent_at is not None


# Delivery with no SMTP server. The test configuration points at port 1 on 127.0.0.1, where nothing listens.


def test_unreachable_server_schedules_retry(app):
    message = queue()
    now = utcnow()

    counts = deliver_due(now=now)

    row = reload(message)
    assert counts == {"sent": 0, "retrying": 1, "failed": 0}
    assert row.state == "queued"
    assert row.attempts == 1
    assert row.last_error != ""
    assert row.next_attempt_at == now + datetime.timedelta(minutes=1)
    assert row.sent_at is None


def test_send_mail_command_unreachable_server(app, runner):
    queue()

    result = send_mail(runner)

    assert result.exit_code != 0
    assert "will retry 1" in result.output


def test_day_old_message_marked_failed(app):
    message = queue()
    OutboxMessage.update(created_at=utcnow() - datetime.timedelta(hours=25)).where(OutboxMessage.id == message.id).execute()

    counts = deliver_due()

    row = reload(message)
    assert counts == {"sent": 0, "retrying": 0, "failed": 1}
    assert row.state == "failed"
    assert row.attempts == 1


def test_retry_after_server_starts(app, request):
    message = queue()
    first_try = utcnow()
    deliver_due(now=first_try)

    sink = request.getfixturevalue("smtp_server")
    before_due = deliver_due(now=first_try)
    when_due = deliver_due(now=first_try + retry_delay(1))
    after_sent = deliver_due(now=first_try + retry_delay(2))

    row = reload(message)
    assert before_due == {"sent": 0, "retrying": 0, "failed": 0}
    assert when_due == {"sent": 1, "retrying": 0, "failed": 0}
    assert after_sent == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(sink.messages) == 1
    assert row.state == "sent"
    assert row.attempts == 2
    assert row.last_error == ""


class ClosingHandler:
    """An aiosmtpd handler that replies 421 to DATA, so smtplib closes the connection."""

    async def handle_DATA(self, server, session, envelope):
        return "421 Service not available, closing transmission channel"


@pytest.fixture
def closing_smtp_server(app):
    """An SMTP server on 127.0.0.1 that ends the session at the first message with a 421 reply."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(ClosingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_PORT"] = port
    app.extensions["mail"].port = port
    yield controller
    controller.stop()


def test_dropped_connection_counts_each_once(app, closing_smtp_server):
    first = queue("first@mail.example.com")
    queue("second@mail.example.com")

    counts = deliver_due()

    assert counts == {"sent": 0, "retrying": 2, "failed": 0}
    assert reload(first).attempts == 1
    assert "421" in reload(first).last_error


# Retry schedule

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
RETRY_DELAYS = [
    (1, MINUTE),
    (2, 2 * MINUTE),
    (3, 4 * MINUTE),
    (4, 8 * MINUTE),
    (5, 16 * MINUTE),
    (6, 32 * MINUTE),
    (7, HOUR),  # 64 minutes, capped
    (8, HOUR),
    (30, HOUR),
    (41, HOUR),
    (42, HOUR),  # 2**41 minutes no longer fits in a timedelta
]


@pytest.mark.parametrize("attempts, delay", RETRY_DELAYS, ids=[f"{attempts}-attempts" for attempts, _delay in RETRY_DELAYS])
def test_retry_delay(attempts, delay):
    assert retry_delay(attempts) == delay


# Transactions


def test_rolled_back_message_is_not_queued(app):
    with pytest.raises(RuntimeError):
        with transaction():
            queue_message(RECIPIENT, SUBJECT, TEXT, HTML)
            raise RuntimeError("the change that caused the message failed")

    assert OutboxMessage.select().count() == 0


# The email a point person's reply causes


def comment_and_reply(app, auth, staff, token, comment, reply):
    """Post a stakeholder comment on novice-mentoring and the point person's reply, and return the thread id."""
    stakeholder_auth = Auth(app.test_client())
    stakeholder_auth.open_invitation(token)
    posted = stakeholder_auth.client.post(
        "/strategies/novice-mentoring/comments", data={"body": comment, "language": "en", "benchmark": ""}
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)
    thread_id = int(re.fullmatch(r"/threads/(\d+)", posted.headers["Location"]).group(1))

    auth.sign_in(staff["induction"])
    replied = auth.client.post(f"/threads/{thread_id}/comments", data={"body": reply})
    assert replied.status_code == 303, replied.get_data(as_text=True)
    return thread_id


def test_reply_queues_one_email(app, auth, staff, invite):
    _invitation, token = invite(email=RECIPIENT, language="en")
    reply = "We assign every novice a mentor within two weeks of hire."

    thread_id = comment_and_reply(app, auth, staff, token, "When are mentors assigned?", reply)

    messages = list(OutboxMessage.select())
    assert len(messages) == 1
    message = messages[0]
    assert message.recipient == RECIPIENT
    assert message.state == "queued"
    assert message.kind == "reply"
    assert message.created_by_id == staff["induction"].id
    assert reply in message.body_text
    assert f"http://portal.test/threads/{thread_id}" in message.body_text
    assert f'href="http://portal.test/threads/{thread_id}?lang=en"' in message.body_html


def test_reply_email_in_english(app, auth, staff, invite):
    _invitation, token = invite(email=RECIPIENT, language="en")

    comment_and_reply(app, auth, staff, token, "When are mentors assigned?", "Within two weeks of hire.")

    message = OutboxMessage.get()
    assert message.subject == f"{staff['induction'].display_name} replied to your comment on the equity plan"
    assert message.body_text.startswith("Hello,")


def test_reply_without_notifications(app, auth, staff, invite):
    invitation, token = invite(email=RECIPIENT, language="en")
    Stakeholder.update(notifications_enabled=False).where(Stakeholder.id == invitation.stakeholder_id).execute()

    comment_and_reply(app, auth, staff, token, "When are mentors assigned?", "Within two weeks of hire.")

    assert OutboxMessage.select().count() == 0
