"""Every route's answer for every role, from one table; a route missing from it fails."""

import datetime

import pytest

from portal.db import utcnow
from portal.feedback.models import Comment
from portal.feedback.operations import reply, start_thread
from portal.mail.models import OutboxMessage
from portal.mail.notifications import notification_token
from portal.plan.models import Strategy
from portal.stakeholders.models import Invitation
from tests.conftest import PASSWORD, make_staff

ROLES = [
    "anonymous",
    "stakeholder",  # the author of the thread below
    "expired",  # the author, whose invitation has since expired
    "revoked",  # the author, whose invitation was revoked
    "other",  # another stakeholder with a valid invitation to the whole plan
    "scoped",  # a stakeholder invited to another strategy only
    "point-person",  # replies on the novice-mentoring strategy
    "other-point-person",  # replies on another strategy
    "leader",
    "admin",
]

STAKEHOLDERS = ("stakeholder", "expired", "revoked", "other", "scoped")
STAFF = ("point-person", "other-point-person", "leader", "admin")


def row(**answers):
    """Expand a row: keys are roles or the groups 'stakeholders', 'staff' and 'everyone'."""
    expanded = {}
    for key, status in answers.items():
        if key == "everyone":
            expanded.update({role: status for role in ROLES})
        elif key == "stakeholders":
            expanded.update({role: status for role in STAKEHOLDERS})
        elif key == "staff":
            expanded.update({role: status for role in STAFF})
    for key, status in answers.items():
        if key in ROLES:
            expanded[key] = status
    assert set(expanded) == set(ROLES), f"row misses {set(ROLES) - set(expanded)}"
    return expanded


COMMENT = {"body": "Our school still has no mentor.", "language": "en", "benchmark": ""}

# (URL rule, method) -> (URL to request, form data, expected status by role)
TABLE = {
    ("/", "GET"): ("/", None, row(everyone=200, expired=403, revoked=403)),
    ("/strategies/<key>", "GET"): (
        "/strategies/novice-mentoring",
        None,
        row(everyone=200, anonymous=401, expired=403, revoked=403, scoped=403),
    ),
    ("/strategies/<key>/comments", "POST"): (
        "/strategies/novice-mentoring/comments",
        COMMENT,
        row(anonymous=401, stakeholders=403, stakeholder=303, other=303, staff=403),
    ),
    ("/threads/<int:thread_id>", "GET"): (
        "/threads/{thread}",
        None,
        row(anonymous=401, stakeholders=403, stakeholder=200, staff=200),
    ),
    ("/threads/<int:thread_id>/comments", "POST"): (
        "/threads/{thread}/comments",
        {"body": "Thank you for asking."},
        row(anonymous=401, stakeholders=403, stakeholder=303, staff=403, **{"point-person": 303}),
    ),
    ("/inbox", "GET"): ("/inbox", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/outbox", "GET"): ("/outbox", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/sign-in", "GET"): ("/sign-in", None, row(everyone=200)),
    ("/sign-in", "POST"): ("/sign-in", {"email": "nobody@example.org", "password": "wrong"}, row(everyone=422)),
    ("/sign-out", "POST"): ("/sign-out", {}, row(everyone=302)),
    ("/invitation/<token>", "GET"): ("/invitation/{token}", None, row(everyone=200)),
    ("/invitation/<token>", "POST"): ("/invitation/{token}", {}, row(everyone=303)),
    ("/language", "POST"): ("/language", {"language": "es"}, row(everyone=303)),
    ("/static/<path:filename>", "GET"): ("/static/css/portal.css", None, row(everyone=200)),
    ("/threads/<int:thread_id>/assign", "POST"): (
        "/threads/{thread}/assign",
        {"assignee": "{spare}"},
        row(anonymous=302, stakeholders=302, staff=303, **{"other-point-person": 403}),
    ),
    ("/threads/<int:thread_id>/themes", "POST"): (
        "/threads/{thread}/themes",
        {},
        row(anonymous=302, stakeholders=302, staff=303, **{"other-point-person": 403}),
    ),
    ("/threads/<int:thread_id>/close", "POST"): (
        "/threads/{thread}/close",
        {"outcome": "changed", "note": "Mentors now visit weekly.", "reflection": "0"},
        row(anonymous=302, stakeholders=302, staff=403, **{"point-person": 303}),
    ),
    ("/comments/<int:comment_id>/hide", "POST"): (
        "/comments/{comment}/hide",
        {"reason": "It names a teacher."},
        row(anonymous=302, stakeholders=302, staff=403, leader=303),
    ),
    ("/comments/<int:comment_id>/rating", "POST"): (
        "/comments/{reply}/rating",
        {"helpful": "yes"},
        row(anonymous=401, stakeholders=403, stakeholder=303, staff=403),
    ),
    ("/strategies/<key>/you-said-we-did", "GET"): (
        "/strategies/novice-mentoring/you-said-we-did",
        None,
        row(everyone=200, anonymous=401, expired=403, revoked=403, scoped=403),
    ),
    ("/themes", "GET"): ("/themes", None, row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200)),
    ("/themes", "POST"): (
        "/themes",
        {"label": "Theme added by {role}"},
        row(anonymous=302, stakeholders=302, staff=403, leader=303, admin=303),
    ),
    ("/outbox/<int:message_id>/resend", "POST"): (
        "/outbox/{failed}/resend",
        {},
        row(anonymous=302, stakeholders=302, staff=403, leader=303, admin=303),
    ),
    ("/new-link", "GET"): ("/new-link", None, row(everyone=200)),
    ("/new-link", "POST"): ("/new-link", {"email": "nobody@mail.example.com"}, row(everyone=200)),
    # The signed token in the email is the authority here, not the session.
    ("/notifications/stop/<token>", "GET"): ("/notifications/stop/{notify}", None, row(everyone=200)),
    ("/notifications/stop/<token>", "POST"): ("/notifications/stop/{notify}", {}, row(everyone=200)),
    ("/notifications/start/<token>", "POST"): ("/notifications/start/{notify}", {}, row(everyone=200)),
}


@pytest.fixture
def world(app, plan, staff, invite):
    """A thread by one stakeholder, and a signed-in session cookie for each role."""
    author_invitation, author_token = invite(email="author@mail.example.com")
    novice = Strategy.get(Strategy.key == "novice-mentoring")
    thread = start_thread(author_invitation.stakeholder, novice, None, "First comment", "en")
    first_comment = Comment.get(Comment.thread == thread)
    staff_reply = reply(thread, staff["induction"], "Thank you; we are looking into it.")

    tokens = {"stakeholder": author_token}
    for role in ("expired", "revoked"):
        _invitation, tokens[role] = invite(email="author@mail.example.com")
    _invitation, tokens["other"] = invite(email="other@mail.example.com", group="teacher")
    _invitation, tokens["scoped"] = invite(email="scoped@mail.example.com", strategies=["prep-partnerships"])

    accounts = {
        "point-person": staff["induction"],
        "other-point-person": staff["talent"],
        "leader": staff["leader"],
        "admin": staff["admin"],
    }
    cookies = {"anonymous": None}
    for role in ROLES[1:]:
        client = app.test_client()
        if role in tokens:
            assert client.post(f"/invitation/{tokens[role]}").status_code == 303
        else:
            response = client.post("/sign-in", data={"email": accounts[role].email, "password": PASSWORD})
            assert response.status_code == 302
        cookies[role] = client.get_cookie("session").value

    expired = Invitation.get(Invitation.token_hash == hash_of(tokens["expired"]))
    expired.expires_at = utcnow() - datetime.timedelta(minutes=1)
    expired.save()
    revoked = Invitation.get(Invitation.token_hash == hash_of(tokens["revoked"]))
    revoked.revoked_at = utcnow()
    revoked.save()
    failed = {
        role: OutboxMessage.create(recipient="x@mail.example.com", subject="s", body_text="b", state="failed").id
        for role in ROLES
    }
    return {
        "cookies": cookies,
        "invite": invite,
        "failed": failed,
        "values": {
            "notify": notification_token(author_invitation.stakeholder),
            "thread": thread.id,
            "comment": first_comment.id,
            "reply": staff_reply.id,
            "spare": make_staff("spare@district.example.org", "point-person").id,
        },
    }


def hash_of(token):
    from portal.stakeholders.models import hash_token

    return hash_token(token)


def test_table_covers_every_route(app):
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = routes - set(TABLE)
    assert missing == set(), f"routes missing from the role table: {sorted(missing)}"
    stale = set(TABLE) - routes
    assert stale == set(), f"table rows for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("route", sorted(TABLE), ids=[f"{method} {rule}" for rule, method in sorted(TABLE)])
def test_route_answers_each_role(app, world, route):
    url_pattern, data, expected = TABLE[route]
    failures = []
    for role in ROLES:
        _invitation, fresh_token = world["invite"](email="fresh@mail.example.com")
        values = {**world["values"], "token": fresh_token, "role": role, "failed": world["failed"][role]}
        url = url_pattern.format(**values)
        form = {key: value.format(**values) for key, value in data.items()} if data else data
        client = app.test_client()
        if world["cookies"][role]:
            client.set_cookie("session", world["cookies"][role], domain="localhost")
        if route[1] == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=form)
        if response.status_code != expected[role]:
            failures.append(f"{role}: expected {expected[role]}, got {response.status_code}")
    assert failures == []

