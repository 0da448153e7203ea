"""Staff sign-in and sign-out, invitation links, and the headers every page sends."""

import datetime
import re

from portal.audit.models import AuditEvent
from portal.auth.models import StaffUser
from portal.db import utcnow
from portal.stakeholders.models import Invitation, hash_token
from tests.conftest import PASSWORD


def test_sign_in_lands_point_person_on_inbox(client, staff):
    response = client.post("/sign-in", data={"email": staff["induction"].email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"
    assert StaffUser.get_by_id(staff["induction"].id).last_sign_in_at is not None


def test_sign_in_accepts_email_in_any_case(client, staff):
    response = client.post("/sign-in", data={"email": "  Leader@District.Example.org ", "password": PASSWORD})
    assert response.status_code == 302


def test_sign_in_wrong_password_rejected(client, staff):
    response = client.post("/sign-in", data={"email": staff["leader"].email, "password": "not it"})
    assert response.status_code == 422
    assert "The email or password is not correct" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_sign_in_missing_fields_named(client, staff):
    page = client.post("/sign-in", data={"email": "not-an-email", "password": ""}).get_data(as_text=True)
    assert "Enter an email address like name@district.org." in page
    assert "Enter your password." in page


def test_inactive_staff_cannot_sign_in(client, staff):
    StaffUser.update(active=False).where(StaffUser.id == staff["leader"].id).execute()
    response = client.post("/sign-in", data={"email": staff["leader"].email, "password": PASSWORD})
    assert response.status_code == 422


def test_sign_in_follows_local_next_only(client, staff):
    local = client.post("/sign-in?next=/outbox", data={"email": staff["leader"].email, "password": PASSWORD})
    assert local.headers["Location"] == "/outbox"
    client.post("/sign-out")
    outside = client.post(
        "/sign-in?next=//evil.example.com/", data={"email": staff["leader"].email, "password": PASSWORD}
    )
    assert outside.headers["Location"] == "/"


def test_sign_out_ends_session(client, auth, staff):
    auth.sign_in(staff["leader"])
    assert client.get("/inbox").status_code == 200
    auth.sign_out()
    assert client.get("/inbox").status_code == 302


def test_htmx_request_without_session_redirects(client, plan):
    response = client.get("/inbox", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/sign-in")
    assert response.get_data(as_text=True) == ""


def test_sign_in_is_rate_limited(app_config, staff):
    from portal import create_app

    client = create_app({**app_config, "RATELIMIT_ENABLED": True}).test_client()
    statuses = [
        client.post("/sign-in", data={"email": staff["leader"].email, "password": "guess"}).status_code
        for _attempt in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429


def test_form_without_csrf_token_rejected(app, client, plan, invite, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    _invitation, token = invite()
    page = client.get(f"/invitation/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/invitation/{token}", data={"csrf_token": csrf}).status_code == 303

    response = client.post(
        "/strategies/novice-mentoring/comments", data={"body": "My long comment", "language": "en", "benchmark": ""}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "nothing was saved" in text
    assert "My long comment" in text


def test_invitation_token_stored_as_hash(plan, invite):
    invitation, token = invite()
    assert len(token) >= 43  # 32 random bytes in URL-safe base64
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash


def test_opening_invitation_changes_nothing(client, plan, invite):
    invitation, token = invite()
    events = AuditEvent.select().count()
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 200
    assert "Continue to the plan" in response.get_data(as_text=True)
    assert Invitation.get_by_id(invitation.id).first_used_at is None
    assert AuditEvent.select().count() == events
    assert client.get("/strategies/novice-mentoring").status_code == 401


def test_continue_swaps_token_for_session(client, plan, invite):
    invitation, token = invite()
    response = client.post(f"/invitation/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert token not in response.headers["Location"]
    assert Invitation.get_by_id(invitation.id).first_used_at is not None
    assert client.get("/strategies/novice-mentoring").status_code == 200


def test_unknown_token_not_found(client, plan):
    response = client.get("/invitation/" + "x" * 43)
    assert response.status_code == 404


def test_expired_invitation_explained(client, plan, invite):
    invitation, token = invite()
    Invitation.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(Invitation.id == invitation.id).execute()
    for response in (client.get(f"/invitation/{token}"), client.post(f"/invitation/{token}")):
        assert response.status_code == 410
        assert "This invitation has expired" in response.get_data(as_text=True)
    assert client.get("/strategies/novice-mentoring").status_code == 401


def test_revoked_invitation_explained(client, plan, invite):
    invitation, token = invite()
    Invitation.update(revoked_at=utcnow()).where(Invitation.id == invitation.id).execute()
    response = client.post(f"/invitation/{token}")
    assert response.status_code == 410
    assert "no longer active" in response.get_data(as_text=True)


def test_session_ends_when_invitation_revoked(client, plan, invite, auth):
    invitation, token = invite()
    auth.open_invitation(token)
    assert client.get("/strategies/novice-mentoring").status_code == 200
    Invitation.update(revoked_at=utcnow()).where(Invitation.id == invitation.id).execute()
    assert client.get("/strategies/novice-mentoring").status_code == 403
    assert "no longer active" in client.get("/").get_data(as_text=True)


def test_scoped_invitation_hides_other_strategies(client, plan, invite, auth):
    _invitation, token = invite(strategies=["prep-partnerships"])
    auth.open_invitation(token)
    overview = client.get("/").get_data(as_text=True)
    assert "/strategies/prep-partnerships" in overview
    assert "/strategies/novice-mentoring" not in overview
    assert client.get("/strategies/novice-mentoring").status_code == 403


def test_pages_send_security_headers(client, plan, invite):
    _invitation, token = invite()
    response = client.get(f"/invitation/{token}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(client, plan, invite):
    _invitation, token = invite()
    response = client.post(f"/invitation/{token}")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
