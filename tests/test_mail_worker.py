"""The mail worker command, and resending failed mail from the outbox."""

import datetime
import email
import email.policy
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import peewee
import pytest

from portal.audit.models import AuditEvent
from portal.db import database, transaction, utcnow
from portal.feedback.models import Comment, Thread
from portal.mail import commands
from portal.mail.models import OutboxMessage
from portal.mail.operations import queue_message, retry_delay
from tests.conftest import Auth

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECIPIENT = "parent@mail.example.com"
SUBJECT = "Your comment on the equity plan"


def queue(recipient=RECIPIENT):
    with transaction():
        return queue_message(recipient, SUBJECT, "Plain-text body.", "<p>HTML body.</p>", kind="test")


def reload(message):
    return OutboxMessage.get_by_id(message.id)


def make_failed(message):
    """Mark a message failed as record_failure does after a day of failed attempts."""
    OutboxMessage.update(state="failed", attempts=9, last_error="550 mailbox unavailable").where(
        OutboxMessage.id == message.id
    ).execute()
    return reload(message)


def run_worker(runner, *options):
    """Run `portal mail-worker --once`, then reopen the test's database connection, which the worker closes."""
    result = runner.invoke(args=["portal", "mail-worker", "--once", *options])
    database.connect(reuse_if_open=True)
    return result


def received_recipients(sink):
    return sorted(recipient for envelope in sink.messages for recipient in envelope.rcpt_tos)


# mail-worker --once


def test_worker_once_sends_once(app, runner, smtp_server):
    message = queue()

    first = run_worker(runner)
    second = run_worker(runner)

    assert first.exit_code == 0, first.output
    assert "Sent 1; will retry 0; failed 0." in first.output
    assert second.exit_code == 0, second.output
    assert "Sent 0; will retry 0; failed 0." in second.output
    assert received_recipients(smtp_server) == [RECIPIENT]
    assert reload(message).state == "sent"


def test_worker_once_retry_exits_zero(app, runner):
    message = queue()

    result = run_worker(runner)

    row = reload(message)
    assert result.exit_code == 0, result.output
    assert "will retry 1" in result.output
    assert row.state == "queued"
    assert row.attempts == 1


def test_worker_once_failure_exits_one(app, runner):
    message = queue()
    OutboxMessage.update(created_at=utcnow() - datetime.timedelta(hours=25)).where(OutboxMessage.id == message.id).execute()

    result = run_worker(runner)

    assert result.exit_code == 1, result.output
    assert "failed 1" in result.output
    assert reload(message).state == "failed"


def test_worker_once_drains_full_batches(app, runner, smtp_server):
    app.config["MAIL_BATCH_SIZE"] = 2
    for number in range(5):
        queue(f"parent{number}@mail.example.com")

    result = run_worker(runner)

    assert result.exit_code == 0, result.output
    assert "Sent 5;" in result.output
    assert len(smtp_server.messages) == 5


def test_worker_rejects_bad_now(app, runner):
    result = run_worker(runner, "--now", "yesterday")

    assert result.exit_code == 2
    assert "'yesterday' is not an ISO 8601 time" in result.output


def test_worker_closes_connection(app, runner, smtp_server):
    queue()

    runner.invoke(args=["portal", "mail-worker", "--once"])

    # Each batch opens and closes its own connection, so none is left open.
    assert database.is_closed()


# Comments and replies while the SMTP server is down


def post_comment(app, token, body):
    """Post a comment on novice-mentoring as the invitation's stakeholder and return the thread id."""
    stakeholder = Auth(app.test_client())
    stakeholder.open_invitation(token)
    posted = stakeholder.client.post(
        "/strategies/novice-mentoring/comments", data={"body": body, "language": "en", "benchmark": ""}
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)
    return int(re.fullmatch(r"/threads/(\d+)", posted.headers["Location"]).group(1))


def test_mail_waits_for_server(app, runner, staff, invite, request):
    recipients = ["first@mail.example.com", "second@mail.example.com"]
    point_person = Auth(app.test_client())
    point_person.sign_in(staff["induction"])
    for recipient in recipients:
        _invitation, token = invite(email=recipient)
        thread_id = post_comment(app, token, f"A question from {recipient}")
        replied = point_person.client.post(f"/threads/{thread_id}/comments", data={"body": "Thank you."})
        assert replied.status_code == 303, replied.get_data(as_text=True)
    first_try = utcnow()

    down = run_worker(runner, "--now", first_try.isoformat())

    waiting = list(OutboxMessage.select().where(OutboxMessage.kind == "reply"))
    assert down.exit_code == 0, down.output
    assert Thread.select().count() == 2
    assert Comment.select().where(Comment.staff.is_null(False)).count() == 2
    assert sorted(message.recipient for message in waiting) == recipients
    assert [message.state for message in waiting] == ["queued", "queued"]
    assert [message.attempts for message in waiting] == [1, 1]

    sink = request.getfixturevalue("smtp_server")
    too_early = run_worker(runner, "--now", first_try.isoformat())
    when_due = run_worker(runner, "--now", (first_try + retry_delay(1)).isoformat())
    later = run_worker(runner, "--now", (first_try + retry_delay(3)).isoformat())

    assert "Sent 0;" in too_early.output
    assert "Sent 2;" in when_due.output
    assert "Sent 0;" in later.output
    assert received_recipients(sink) == recipients
    assert OutboxMessage.select().where(OutboxMessage.state != "sent").count() == 0


# The worker as a long-running process


def worker_environment(tmp_path, app):
    """Environment that points a `flask` subprocess at the test's SQLite database."""
    environment = dict(os.environ)
    environment.update(
        {
            "PORTAL_ENVIRONMENT": "testing",
            "PORTAL_SECRET_KEY": "test-secret",
            "PORTAL_SQLITE_FILENAME": app.config["SQLITE_FILENAME"],
            "PORTAL_MAIL_SERVER": "127.0.0.1",
            "PORTAL_MAIL_PORT": str(app.config["MAIL_PORT"]),
            "PORTAL_MAIL_TIMEOUT": "5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(bool(os.environ.get("PORTAL_DATABASE_URL")), reason="the subprocess is pointed at the SQLite file")
def test_worker_stops_on_sigterm(app, tmp_path, smtp_server):
    message = queue()
    database.close()  # let the worker's process write to the SQLite file without waiting
    flask = pathlib.Path(sys.executable).with_name("flask")
    worker = subprocess.Popen(
        [str(flask), "--app", "wsgi", "portal", "mail-worker", "--interval", "1"],
        cwd=ROOT,
        env=worker_environment(tmp_path, app),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        delivered = wait_for(lambda: len(smtp_server.messages) == 1)
        worker.send_signal(signal.SIGTERM)
        output, _unused = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    database.connect(reuse_if_open=True)

    assert delivered, "the worker sent nothing within 20 seconds"
    assert worker.returncode == 0, output
    assert "Mail worker started" in output
    assert "Mail batch: sent 1, will retry 0, failed 0" in output
    assert "received SIGTERM" in output
    assert "Mail worker stopped" in output
    assert reload(message).state == "sent"
    assert len(smtp_server.messages) == 1


class StopAfter:
    """A replacement for StopRequested that stops the worker after a number of sleeps."""

    def __init__(self, sleeps):
        self.sleeps = sleeps
        self.requested = False

    def sleep(self, seconds):
        self.sleeps -= 1
        self.requested = self.sleeps <= 0
        return self.requested


def test_worker_survives_database_error(app, monkeypatch):
    connections = []

    def deliver_due_once_broken(now=None):
        connections.append(database.connection())
        if len(connections) == 1:
            raise peewee.OperationalError("server closed the connection unexpectedly")
        return {"sent": 0, "retrying": 0, "failed": 0}

    monkeypatch.setattr(commands, "deliver_due", deliver_due_once_broken)

    commands.run_forever(StopAfter(3), 1, None)
    database.connect(reuse_if_open=True)

    assert len(connections) == 3
    # Each batch runs on a new connection, so a dropped one is not reused.
    assert connections[1] is not connections[0]
    assert connections[2] is not connections[1]


# Headers


def test_extra_headers_reach_server(app, smtp_server):
    from portal.mail.operations import deliver_due

    with transaction():
        queue_message(RECIPIENT, SUBJECT, "Body.", headers={"List-Unsubscribe": "<http://portal.test/stop/x>"})

    deliver_due()

    parsed = email.message_from_bytes(smtp_server.messages[0].content, policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == "<http://portal.test/stop/x>"


# Resending failed mail from the outbox


def failed_message(staff, author="induction"):
    return make_failed(queue_with_author(staff[author]))


def queue_with_author(user):
    with transaction():
        return queue_message(RECIPIENT, SUBJECT, "Body.", kind="reply", created_by=user)


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_resend_requeues_failed(app, auth, staff, role):
    message = failed_message(staff)
    before = utcnow()
    auth.sign_in(staff[role])

    response = auth.client.post(f"/outbox/{message.id}/resend", data={"state": "failed"})

    row = reload(message)
    event = AuditEvent.get(AuditEvent.action == "mail.resent")
    assert response.status_code == 303
    assert response.headers["Location"] == "/outbox?state=failed"
    assert row.state == "queued"
    assert row.attempts == 9
    assert row.next_attempt_at >= before
    assert row.next_attempt_at <= utcnow()
    assert event.actor == staff[role].get_id()
    assert event.object_type == "OutboxMessage"
    assert event.object_id == message.id


def test_resend_flashes_confirmation(app, auth, staff):
    message = failed_message(staff)
    auth.sign_in(staff["admin"])

    page = auth.client.post(f"/outbox/{message.id}/resend", follow_redirects=True)

    assert page.status_code == 200
    assert f"Message {message.id} to {RECIPIENT} is queued again" in page.get_data(as_text=True)


def test_resend_htmx_returns_fragment(app, auth, staff):
    message = failed_message(staff)
    auth.sign_in(staff["admin"])

    response = auth.client.post(f"/outbox/{message.id}/resend", headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.vary
    assert body.startswith(f'<article class="portal-comment" id="message-{message.id}">')
    assert "<html" not in body
    assert "· queued" in body
    assert ">Resend<" not in body
    assert 'hx-swap-oob="true"' in body
    assert "is queued again" in body


def test_resend_then_delivered(app, auth, staff, runner, smtp_server):
    message = failed_message(staff)
    auth.sign_in(staff["leader"])
    auth.client.post(f"/outbox/{message.id}/resend")

    result = run_worker(runner)

    assert "Sent 1;" in result.output
    assert reload(message).state == "sent"
    assert reload(message).attempts == 10


@pytest.mark.parametrize("state", ["queued", "sent"])
def test_resend_rejects_unfailed(app, auth, staff, state):
    message = queue_with_author(staff["induction"])
    OutboxMessage.update(state=state).where(OutboxMessage.id == message.id).execute()
    auth.sign_in(staff["admin"])

    response = auth.client.post(f"/outbox/{message.id}/resend")

    assert response.status_code == 409
    assert f"because it is {state}, not failed" in response.get_data(as_text=True)
    assert reload(message).state == state
    assert AuditEvent.select().where(AuditEvent.action == "mail.resent").count() == 0


def test_resend_twice_conflicts(app, auth, staff):
    message = failed_message(staff)
    auth.sign_in(staff["admin"])

    first = auth.client.post(f"/outbox/{message.id}/resend")
    second = auth.client.post(f"/outbox/{message.id}/resend", headers={"HX-Request": "true"})

    assert first.status_code == 303
    assert second.status_code == 409
    assert 'class="usa-alert usa-alert--error' in second.get_data(as_text=True)


def test_resend_unknown_message(app, auth, staff):
    auth.sign_in(staff["admin"])

    assert auth.client.post("/outbox/999/resend").status_code == 404


@pytest.mark.parametrize("author", ["induction", "talent"])
def test_resend_forbidden_to_point_person(app, auth, staff, author):
    message = failed_message(staff, author)
    auth.sign_in(staff["induction"])

    response = auth.client.post(f"/outbox/{message.id}/resend")

    assert response.status_code == 403
    assert reload(message).state == "failed"


def test_resend_needs_sign_in(app, client, staff):
    message = failed_message(staff)

    response = client.post(f"/outbox/{message.id}/resend")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert reload(message).state == "failed"


# The outbox page


def outbox_fixture(staff):
    """Queue one message of each state by the induction point person and one failed by the talent manager."""
    queued = queue_with_author(staff["induction"])
    sent = queue_with_author(staff["induction"])
    OutboxMessage.update(state="sent", sent_at=utcnow()).where(OutboxMessage.id == sent.id).execute()
    failed = failed_message(staff, "induction")
    other = failed_message(staff, "talent")
    return {"queued": queued, "sent": sent, "failed": failed, "other": other}


def test_outbox_filter_counts(app, auth, staff):
    outbox_fixture(staff)
    auth.sign_in(staff["admin"])

    body = auth.client.get("/outbox").get_data(as_text=True)

    assert "All (4)" in body
    assert "Queued (1)" in body
    assert "Failed (2)" in body
    assert "Sent (1)" in body


def test_outbox_filter_by_state(app, auth, staff):
    messages = outbox_fixture(staff)
    auth.sign_in(staff["admin"])

    body = auth.client.get("/outbox?state=failed").get_data(as_text=True)

    assert f'id="message-{messages["failed"].id}"' in body
    assert f'id="message-{messages["other"].id}"' in body
    assert f'id="message-{messages["queued"].id}"' not in body
    assert f'id="message-{messages["sent"].id}"' not in body
    assert body.count(">Resend<") == 2


def test_outbox_rejects_unknown_state(app, auth, staff):
    auth.sign_in(staff["admin"])

    assert auth.client.get("/outbox?state=bounced").status_code == 404


def test_outbox_point_person_view(app, auth, staff):
    messages = outbox_fixture(staff)
    auth.sign_in(staff["induction"])

    body = auth.client.get("/outbox").get_data(as_text=True)

    assert "All (3)" in body
    assert "Failed (1)" in body
    assert f'id="message-{messages["other"].id}"' not in body
    assert ">Resend<" not in body
