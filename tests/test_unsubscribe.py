"""The link and List-Unsubscribe headers in reply email that turn a stakeholder's reply email off and on."""

import email
import email.policy
import html
import json
import re

import pytest
from itsdangerous import URLSafeSerializer

from portal.audit.models import AuditEvent
from portal.feedback.models import Thread
from portal.mail.models import OutboxMessage
from portal.mail.notifications import TOKEN_SALT
from portal.mail.operations import deliver_due
from portal.stakeholders.models import Stakeholder
from tests.conftest import Auth
from tests.test_translations import spanish

STOP_URL = re.compile(r"http://portal\.test/notifications/stop/([A-Za-z0-9_.-]+)")
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
INVALID_LINK = "This link is not valid"


def comment_and_reply(app, staff, token, language="en"):
    """Post a comment on novice-mentoring as the invitation's stakeholder, reply as its point person, and return the thread."""
    stakeholder = Auth(app.test_client())
    stakeholder.open_invitation(token)
    posted = stakeholder.client.post(
        "/strategies/novice-mentoring/comments", data={"body": "Who mentors new teachers?", "language": language, "benchmark": ""}
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)
    thread = Thread.get_by_id(int(posted.headers["Location"].rsplit("/", 1)[1]))

    point_person = Auth(app.test_client())
    point_person.sign_in(staff["induction"])
    replied = point_person.client.post(f"/threads/{thread.id}/comments", data={"body": "A trained mentor at each school."})
    assert replied.status_code == 303, replied.get_data(as_text=True)
    return thread


@pytest.fixture
def reply_email(app, staff, invite):
    """The queued reply email to an English-speaking parent."""
    _invitation, token = invite(email="parent@mail.example.com")
    comment_and_reply(app, staff, token)
    return OutboxMessage.get(OutboxMessage.kind == "reply")


@pytest.fixture
def stakeholder(invite):
    invitation, _token = invite(email="parent@mail.example.com")
    return invitation.stakeholder


def stop_token(message):
    return STOP_URL.search(message.body_text).group(1)


def token_for(app, stakeholder_id, salt=TOKEN_SALT):
    return URLSafeSerializer(app.secret_key, salt=salt).dumps(stakeholder_id)


def notifications_enabled(stakeholder):
    return Stakeholder.get_by_id(stakeholder.id).notifications_enabled


def audit_actions():
    return [event.action for event in AuditEvent.select().where(AuditEvent.action.startswith("notifications."))]


def page_text(response):
    return html.unescape(response.get_data(as_text=True))


def csrf_token_in(response):
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


# The reply email


def test_reply_email_has_stop_link(app, reply_email):
    stakeholder = Stakeholder.get(Stakeholder.email == "parent@mail.example.com")
    token = stop_token(reply_email)

    assert URLSafeSerializer(app.secret_key, salt="stop-notifications").loads(token) == stakeholder.id
    assert f'href="http://portal.test/notifications/stop/{token}"' in reply_email.body_html
    assert "Stop email about replies" in reply_email.body_html


def test_reply_email_headers_stored(app, reply_email):
    url = f"http://portal.test/notifications/stop/{stop_token(reply_email)}"

    headers = json.loads(reply_email.headers)

    assert headers == {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def test_headers_reach_smtp_server(app, reply_email, smtp_server):
    url = f"http://portal.test/notifications/stop/{stop_token(reply_email)}"

    counts = deliver_due()

    parsed = email.message_from_bytes(smtp_server.messages[0].content, policy=email.policy.default)
    assert counts["sent"] == 1
    # The line is longer than 78 characters, so it arrives folded after the colon (RFC 5322
    # section 2.2.3) and the parser keeps the fold's leading space.
    assert parsed["List-Unsubscribe"].strip() == f"<{url}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_reply_after_stop_queues_nothing(app, client, staff, invite):
    _invitation, token = invite(email="parent@mail.example.com")
    thread = comment_and_reply(app, staff, token)
    stop = stop_token(OutboxMessage.get())

    client.post(f"/notifications/stop/{stop}")
    point_person = Auth(app.test_client())
    point_person.sign_in(staff["induction"])
    point_person.client.post(f"/threads/{thread.id}/comments", data={"body": "One more thing."})

    assert OutboxMessage.select().count() == 1


# The pages behind the link


def test_get_changes_nothing(app, client, stakeholder):
    token = token_for(app, stakeholder.id)

    response = client.get(f"/notifications/stop/{token}")

    assert response.status_code == 200
    assert "Stop email about replies" in page_text(response)
    assert notifications_enabled(stakeholder) is True
    assert audit_actions() == []


def test_get_when_already_off(app, client, stakeholder):
    Stakeholder.update(notifications_enabled=False).where(Stakeholder.id == stakeholder.id).execute()

    response = client.get(f"/notifications/stop/{token_for(app, stakeholder.id)}")

    assert response.status_code == 200
    assert "Email about replies is off" in page_text(response)
    assert "Email me about replies again" in page_text(response)
    assert notifications_enabled(stakeholder) is False


def test_post_stops_notifications(app, client, stakeholder):
    token = token_for(app, stakeholder.id)

    response = client.post(f"/notifications/stop/{token}")

    event = AuditEvent.get(AuditEvent.action == "notifications.stopped")
    assert response.status_code == 200
    assert "Email about replies is off" in page_text(response)
    assert f'action="/notifications/start/{token}"' in response.get_data(as_text=True)
    assert notifications_enabled(stakeholder) is False
    assert event.actor == f"stakeholder:{stakeholder.id}"
    assert event.object_id == stakeholder.id
    assert json.loads(event.details) == {"one_click": False, "cancelled": 0}


def test_post_twice_records_once(app, client, stakeholder):
    token = token_for(app, stakeholder.id)

    client.post(f"/notifications/stop/{token}")
    second = client.post(f"/notifications/stop/{token}")

    assert second.status_code == 200
    assert audit_actions() == ["notifications.stopped"]


def test_one_click_without_csrf(app, stakeholder):
    app.config["WTF_CSRF_ENABLED"] = True
    mail_client = app.test_client()

    response = mail_client.post(f"/notifications/stop/{token_for(app, stakeholder.id)}", data=ONE_CLICK)

    event = AuditEvent.get(AuditEvent.action == "notifications.stopped")
    assert response.status_code == 200
    assert notifications_enabled(stakeholder) is False
    assert json.loads(event.details) == {"one_click": True, "cancelled": 0}


def test_start_requires_csrf(app, client, stakeholder):
    app.config["WTF_CSRF_ENABLED"] = True
    token = token_for(app, stakeholder.id)
    client.post(f"/notifications/stop/{token}")

    response = client.post(f"/notifications/start/{token}")

    assert response.status_code == 400
    assert notifications_enabled(stakeholder) is False


def test_start_link_turns_on(app, client, stakeholder):
    app.config["WTF_CSRF_ENABLED"] = True
    token = token_for(app, stakeholder.id)
    stopped = client.post(f"/notifications/stop/{token}")

    response = client.post(f"/notifications/start/{token}", data={"csrf_token": csrf_token_in(stopped)})

    assert response.status_code == 200
    assert "Email about replies is on" in page_text(response)
    assert "Stop email about replies" in page_text(response)
    assert notifications_enabled(stakeholder) is True
    assert audit_actions() == ["notifications.stopped", "notifications.started"]


@pytest.mark.parametrize(
    "method, path",
    [("get", "/notifications/stop/{token}"), ("post", "/notifications/stop/{token}"), ("post", "/notifications/start/{token}")],
)
def test_tampered_token_404(app, client, stakeholder, method, path):
    payload, signature = token_for(app, stakeholder.id).split(".")
    # The signature's last base64 character carries padding bits, so change one in the middle.
    middle = len(signature) // 2
    changed = "A" if signature[middle] != "A" else "B"
    tampered = f"{payload}.{signature[:middle]}{changed}{signature[middle + 1:]}"

    response = getattr(client, method)(path.format(token=tampered))

    assert response.status_code == 404
    assert INVALID_LINK in page_text(response)
    assert notifications_enabled(stakeholder) is True


def test_token_with_other_salt_404(app, client, stakeholder):
    response = client.post(f"/notifications/stop/{token_for(app, stakeholder.id, salt='other-purpose')}")

    assert response.status_code == 404
    assert notifications_enabled(stakeholder) is True


def test_unknown_stakeholder_404(app, client, stakeholder):
    response = client.get(f"/notifications/stop/{token_for(app, stakeholder.id + 1000)}")

    assert response.status_code == 404
    assert INVALID_LINK in page_text(response)


def test_non_integer_payload_404(app, client, stakeholder):
    response = client.get(f"/notifications/stop/{token_for(app, str(stakeholder.id))}")

    assert response.status_code == 404


def test_no_session_needed(app, client, staff, stakeholder):
    Auth(client).sign_in(staff["admin"])

    response = client.post(f"/notifications/stop/{token_for(app, stakeholder.id)}")

    assert response.status_code == 200
    assert notifications_enabled(stakeholder) is False


# Spanish


def test_page_in_spanish(app, client, invite):
    invitation, _token = invite(email="madre@mail.example.com", language="es")
    token = token_for(app, invitation.stakeholder_id)

    asked = client.get(f"/notifications/stop/{token}")
    stopped = client.post(f"/notifications/stop/{token}", data=ONE_CLICK)

    assert '<html lang="es">' in asked.get_data(as_text=True)
    assert spanish("Stop email about replies") in page_text(asked)
    assert spanish("Email about replies is off") in page_text(stopped)
    assert spanish("Email me about replies again") in page_text(stopped)


def test_reply_email_link_in_spanish(app, staff, invite):
    _invitation, token = invite(email="madre@mail.example.com", language="es")

    comment_and_reply(app, staff, token, language="es")

    message = OutboxMessage.get(OutboxMessage.kind == "reply")
    assert spanish("To stop email about replies, open this link:") in message.body_text
    assert spanish("Stop email about replies") in html.unescape(message.body_html)


def test_stop_cancels_waiting_mail(app, client, staff, invite):
    from portal.mail.models import OutboxMessage
    from portal.mail.notifications import notification_token

    invitation, token = invite(email="waiting@mail.example.com")
    comment_and_reply(app, staff, token)
    other = OutboxMessage.create(recipient="someone@mail.example.com", subject="s", body_text="b", kind="reply")
    failed = OutboxMessage.get(OutboxMessage.recipient == "waiting@mail.example.com")
    failed.state = "failed"
    failed.save()
    client.post(f"/notifications/stop/{notification_token(invitation.stakeholder)}")

    assert OutboxMessage.get_by_id(failed.id).state == "cancelled"
    assert OutboxMessage.get_by_id(other.id).state == "queued"
