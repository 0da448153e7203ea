"""Asking for a new invitation link without revealing who is on the list."""

import html
import re

from portal.db import utcnow
from portal.feedback.operations import start_thread
from portal.mail.models import OutboxMessage
from portal.plan.models import Strategy
from portal.stakeholders.models import Invitation

ANSWER = "If this address is on the district's list, a new link is on its way to it."


def link_in(message):
    return re.search(r"http://portal\.test/invitation/(\S+)", message.body_text).group(1)


def test_known_and_unknown_get_same_answer(client, plan, invite):
    invite(email="known@mail.example.com")
    known = client.post("/new-link", data={"email": " Known@Mail.example.com "})
    unknown = client.post("/new-link", data={"email": "stranger@mail.example.com"})
    assert known.status_code == unknown.status_code == 200
    assert ANSWER in html.unescape(known.get_data(as_text=True))
    assert ANSWER in html.unescape(unknown.get_data(as_text=True))
    assert [m.recipient for m in OutboxMessage.select()] == ["known@mail.example.com"]


def test_new_link_opens_the_plan(app, client, plan, invite):
    invite(email="known@mail.example.com", strategies=["prep-partnerships"])
    client.post("/new-link", data={"email": "known@mail.example.com"})
    message = OutboxMessage.get()
    token = link_in(message)
    visitor = app.test_client()
    assert visitor.post(f"/invitation/{token}").status_code == 303
    assert visitor.get("/strategies/prep-partnerships").status_code == 200
    assert visitor.get("/strategies/novice-mentoring").status_code == 403
    assert message.body_html.count(token) == 1


def test_revoked_stakeholder_gets_nothing(client, plan, invite):
    invitation, _token = invite(email="revoked@mail.example.com")
    Invitation.update(revoked_at=utcnow()).where(Invitation.id == invitation.id).execute()
    response = client.post("/new-link", data={"email": "revoked@mail.example.com"})
    assert ANSWER in html.unescape(response.get_data(as_text=True))
    assert OutboxMessage.select().count() == 0
    assert Invitation.select().count() == 1


def test_expired_stakeholder_gets_a_link(client, plan, invite):
    invitation, _token = invite(email="late@mail.example.com")
    Invitation.update(expires_at=utcnow()).where(Invitation.id == invitation.id).execute()
    client.post("/new-link", data={"email": "late@mail.example.com"})
    assert OutboxMessage.select().count() == 1
    assert Invitation.select().count() == 2


def test_invalid_address_rejected(client, plan):
    response = client.post("/new-link", data={"email": "not an address"})
    assert response.status_code == 422
    assert "Enter an email address like name@example.com." in response.get_data(as_text=True)
    assert OutboxMessage.select().count() == 0


def test_spanish_stakeholder_gets_spanish_email(client, plan, invite):
    invite(email="ana@mail.example.com", language="es")
    client.post("/new-link", data={"email": "ana@mail.example.com"})
    message = OutboxMessage.get()
    assert "Your link to comment" not in message.subject
    assert "Hello," not in message.body_text


def test_new_link_is_rate_limited(app_config, plan):
    from portal import create_app

    client = create_app({**app_config, "RATELIMIT_ENABLED": True}).test_client()
    statuses = [client.post("/new-link", data={"email": "x@mail.example.com"}).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_unusable_invitation_offers_new_link(client, plan):
    page = client.get("/invitation/" + "x" * 43).get_data(as_text=True)
    assert 'href="/new-link"' in page


def test_reply_link_returns_to_thread(client, plan, invite):
    invitation, token = invite(email="rosa@mail.example.com", language="es")
    thread = start_thread(invitation.stakeholder, Strategy.get(Strategy.key == "novice-mentoring"), None, "¿Hay mentores?", "es")

    # The reply email's link, opened in an English browser without a session.
    asked = client.get(f"/threads/{thread.id}?lang=es", headers={"Accept-Language": "en-US"})
    assert asked.status_code == 401
    assert 'lang="es"' in asked.get_data(as_text=True)
    response = client.post(f"/invitation/{token}")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/threads/{thread.id}"
    assert client.get(f"/threads/{thread.id}").status_code == 200


def test_invitation_without_remembered_thread_opens_overview(client, plan, invite):
    _invitation, token = invite(email="rosa@mail.example.com")

    response = client.post(f"/invitation/{token}")

    assert response.headers["Location"] == "/"
