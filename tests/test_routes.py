"""Every route's answer for every role, from one table; a route missing from it fails."""

import datetime

import pytest

from portal.db import utcnow
from portal.feedback.models import Comment
from portal.feedback.operations import answer_back, reply, start_thread
from portal.mail.models import OutboxMessage
from portal.mail.notifications import notification_token
from portal.plan.models import Strategy
from portal.plan.models import Benchmark, LeadingIndicator
from portal.plan.status import plan_today
from portal.stakeholders import campaigns
from portal.stakeholders.models import Invitation, Stakeholder, StakeholderGroup
from tests.conftest import PASSWORD, make_staff
from tests.test_monitoring import route_table_values
from tests.test_campaigns import make_campaign

ROLES = [
    "anonymous",
    "stakeholder",  # the author of the thread below
    "expired",  # the author, whose invitation has since expired
    "revoked",  # the author, whose invitation was revoked
    "replaced",  # the author, holding a link that staff resent (so a newer one replaced it)
    "other",  # another stakeholder with a valid invitation to the whole plan
    "scoped",  # a stakeholder invited to another strategy only
    "point-person",  # replies on the novice-mentoring strategy
    "other-point-person",  # replies on another strategy
    "leader",
    "admin",
]

STAKEHOLDERS = ("stakeholder", "expired", "revoked", "replaced", "other", "scoped")
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
    ("/", "GET"): ("/", None, row(everyone=200, expired=403, revoked=403, replaced=403)),
    ("/strategies/<key>", "GET"): (
        "/strategies/novice-mentoring",
        None,
        row(everyone=200, anonymous=401, expired=403, revoked=403, replaced=403, scoped=403),
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
        row(everyone=200, anonymous=401, expired=403, revoked=403, replaced=403, scoped=403),
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
    # Editing the plan's structure: administrators only; every staff role may read the history.
    ("/plan/edit", "GET"): ("/plan/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/create", "POST"): (
        "/plan/create",
        {"lea_name": "Harbor City Public Schools", "title": "A second plan", "starts_on": "2025-08-01", "ends_on": "2027-07-31", "time_zone": "America/New_York"},
        row(anonymous=302, stakeholders=302, staff=403, admin=409),
    ),
    ("/plan/details", "GET"): ("/plan/details", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/details/edit", "GET"): ("/plan/details/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/details", "POST"): (
        "/plan/details",
        {"lea_name": "Harbor City Public Schools", "title": "Plan edited by {role}", "starts_on": "2025-08-01", "ends_on": "2027-07-31", "time_zone": "America/New_York"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/history", "GET"): ("/plan/history", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/plan/people", "POST"): (
        "/plan/people",
        {"key": "new-person", "name": "Person added by {role}"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/people/<int:item_id>", "GET"): ("/plan/people/1", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/people/<int:item_id>", "POST"): (
        "/plan/people/1",
        {"key": "talent-manager", "name": "Dana Whitfield-{role}"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/people/<int:item_id>/edit", "GET"): ("/plan/people/1/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/people/<int:item_id>/delete", "GET"): ("/plan/people/1/delete", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    # Person 1 is responsible for a strategy, so deleting is refused.
    ("/plan/people/<int:item_id>/delete", "POST"): ("/plan/people/1/delete", {}, row(anonymous=302, stakeholders=302, staff=403, admin=409)),
    ("/plan/people/<int:item_id>/history", "GET"): ("/plan/people/1/history", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/plan/periods", "POST"): (
        "/plan/periods",
        {"key": "extra", "label": "Added by {role}", "starts_on": "2025-07-01", "ends_on": "2025-07-31"},
        row(anonymous=302, stakeholders=302, staff=403, admin=422),
    ),
    ("/plan/periods/<int:item_id>", "GET"): ("/plan/periods/1", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/periods/<int:item_id>", "POST"): (
        "/plan/periods/1",
        {"key": "3m", "label": "Three months, by {role}", "starts_on": "2025-08-01", "ends_on": "2025-10-31"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/periods/<int:item_id>/edit", "GET"): ("/plan/periods/1/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/periods/<int:item_id>/delete", "GET"): ("/plan/periods/1/delete", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    # Period 1 has check-ins, so deleting is refused.
    ("/plan/periods/<int:item_id>/delete", "POST"): ("/plan/periods/1/delete", {}, row(anonymous=302, stakeholders=302, staff=403, admin=409)),
    ("/plan/periods/<int:item_id>/history", "GET"): ("/plan/periods/1/history", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/plan/strategies", "POST"): (
        "/plan/strategies",
        {"key": "new-strategy", "name": "Strategy added by {role}"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/strategies/<int:item_id>", "GET"): ("/plan/strategies/1", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/strategies/<int:item_id>", "POST"): (
        "/plan/strategies/1",
        {"key": "prep-partnerships", "name": "Partner with preparation programs ({role})", "starts_on": "2025-08-01"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/strategies/<int:item_id>/edit", "GET"): ("/plan/strategies/1/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/strategies/<int:item_id>/delete", "GET"): ("/plan/strategies/1/delete", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    # Strategy 1 has check-ins and reflections, so deleting is refused.
    ("/plan/strategies/<int:item_id>/delete", "POST"): ("/plan/strategies/1/delete", {}, row(anonymous=302, stakeholders=302, staff=403, admin=409)),
    ("/plan/strategies/<int:item_id>/history", "GET"): ("/plan/strategies/1/history", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/plan/strategies/<int:item_id>/move", "POST"): (
        "/plan/strategies/1/move",
        {"direction": "down"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/strategies/<int:parent_id>/indicators", "POST"): (
        "/plan/strategies/1/indicators",
        {"key": "new-indicator", "name": "Indicator added by {role}", "unit": "count", "direction": "increase"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/indicators/<int:item_id>", "GET"): ("/plan/indicators/1", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/indicators/<int:item_id>", "POST"): (
        "/plan/indicators/1",
        {"key": "prep-survey-agree", "name": "Novices who felt prepared ({role})", "unit": "percent", "direction": "increase"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/indicators/<int:item_id>/edit", "GET"): ("/plan/indicators/1/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/indicators/<int:item_id>/delete", "GET"): ("/plan/indicators/1/delete", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/indicators/<int:item_id>/delete", "POST"): ("/plan/indicators/1/delete", {}, row(anonymous=302, stakeholders=302, staff=403, admin=409)),
    ("/plan/indicators/<int:item_id>/history", "GET"): ("/plan/indicators/1/history", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/plan/indicators/<int:item_id>/move", "POST"): (
        "/plan/indicators/1/move",
        {"direction": "down"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    # Indicator 5 has no benchmark for period 1 yet.
    ("/plan/indicators/<int:parent_id>/benchmarks", "POST"): (
        "/plan/indicators/5/benchmarks",
        {"period_id": "1", "target": "60", "description": "Added by {role}"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/benchmarks/<int:item_id>", "GET"): ("/plan/benchmarks/1", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/benchmarks/<int:item_id>", "POST"): (
        "/plan/benchmarks/1",
        {"period_id": "1", "target": "78", "description": "Edited by {role}"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/plan/benchmarks/<int:item_id>/edit", "GET"): ("/plan/benchmarks/1/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/benchmarks/<int:item_id>/delete", "GET"): ("/plan/benchmarks/1/delete", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/plan/benchmarks/<int:item_id>/delete", "POST"): ("/plan/benchmarks/1/delete", {}, row(anonymous=302, stakeholders=302, staff=403, admin=303)),
    ("/plan/benchmarks/<int:item_id>/history", "GET"): ("/plan/benchmarks/1/history", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/campaigns", "GET"): ("/campaigns", None, row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200)),
    ("/campaigns/new", "GET"): ("/campaigns/new", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/campaigns/new", "POST"): (
        "/campaigns/new",
        {"name": "Campaign by {role}", "period": "{period}", "opens_on": "{today}", "closes_on": "{today}",
         "links_expire_on": "{today}", "scope": "plan"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/campaigns/<int:campaign_id>", "GET"): (
        "/campaigns/{campaign}",
        None,
        row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200),
    ),
    ("/campaigns/<int:campaign_id>/send", "POST"): (
        "/campaigns/{campaign}/send",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/campaigns/<int:campaign_id>/revoke", "POST"): (
        "/campaigns/{campaign}/revoke",
        {"confirm": "y"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/invitations/<int:invitation_id>/resend", "POST"): (
        "/invitations/{invitation}/resend",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/invitations/<int:invitation_id>/revoke", "POST"): (
        "/invitations/{invitation}/revoke",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/stakeholders/<int:stakeholder_id>/revoke", "POST"): (
        "/stakeholders/{spare_stakeholder}/revoke",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/benchmarks/<int:benchmark_id>/pulse", "POST"): (
        "/benchmarks/{benchmark}/pulse",
        {"answer": "somewhat"},
        row(anonymous=401, stakeholders=403, stakeholder=303, other=303, staff=403),
    ),
    ("/comments/<int:comment_id>/edit", "GET"): (
        "/comments/{answer}/edit",
        None,
        row(anonymous=401, stakeholders=403, stakeholder=200, staff=403),
    ),
    ("/comments/<int:comment_id>/edit", "POST"): (
        "/comments/{answer}/edit",
        {"body": "Our school still has no mentor, as of this week."},
        row(anonymous=401, stakeholders=403, stakeholder=303, staff=403),
    ),
    ("/comments/<int:comment_id>/withdraw", "GET"): (
        "/comments/{answer}/withdraw",
        None,
        row(anonymous=401, stakeholders=403, stakeholder=200, staff=403),
    ),
    ("/comments/<int:comment_id>/withdraw", "POST"): (
        "/comments/{answer}/withdraw",
        {},
        row(anonymous=401, stakeholders=403, stakeholder=303, staff=403),
    ),
    # The migration seeds groups with ids 1 to 10: 6 is parent, and 9 is business-leader, which has no stakeholders here.
    ("/groups", "GET"): ("/groups", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/groups", "POST"): (
        "/groups",
        {"key": "volunteer", "label": "Volunteer", "plural_label": "Volunteers", "label_es": "Voluntario", "plural_label_es": "Voluntarios"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/groups/<int:group_id>/edit", "GET"): ("/groups/6/edit", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/groups/<int:group_id>/edit", "POST"): (
        "/groups/6/edit",
        {"label": "Parent", "plural_label": "Parents", "label_es": "Madre o padre", "plural_label_es": "Madres y padres"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/groups/<int:group_id>/move", "POST"): (
        "/groups/6/move",
        {"direction": "up"},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/groups/<int:group_id>/delete", "POST"): ("/groups/9/delete", {}, row(anonymous=302, stakeholders=302, staff=403, admin=303)),
    ("/roster", "GET"): ("/roster", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    ("/roster/<int:stakeholder_id>/remove", "GET"): (
        "/roster/{spare_stakeholder}/remove",
        None,
        row(anonymous=302, stakeholders=302, staff=403, admin=200),
    ),
    ("/roster/<int:stakeholder_id>/remove", "POST"): (
        "/roster/{spare_stakeholder}/remove",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/roster/<int:stakeholder_id>/restore", "POST"): (
        "/roster/{spare_stakeholder}/restore",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=303),
    ),
    ("/roster/import", "GET"): ("/roster/import", None, row(anonymous=302, stakeholders=302, staff=403, admin=200)),
    # Without a file the upload is rejected; tests/test_roster_pages.py uploads real files.
    ("/roster/import", "POST"): ("/roster/import", {}, row(anonymous=302, stakeholders=302, staff=403, admin=422)),
    # No upload has this id, so an admin gets 404 once past the role check.
    ("/roster/import/<upload_id>", "GET"): (
        "/roster/import/" + "x" * 24,
        None,
        row(anonymous=302, stakeholders=302, staff=403, admin=404),
    ),
    ("/roster/import/<upload_id>", "POST"): (
        "/roster/import/" + "x" * 24,
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=404),
    ),
    ("/roster/import/<upload_id>/cancel", "POST"): (
        "/roster/import/" + "x" * 24 + "/cancel",
        {},
        row(anonymous=302, stakeholders=302, staff=403, admin=404),
    ),
    ("/roster/import/<upload_id>/result", "GET"): (
        "/roster/import/" + "x" * 24 + "/result",
        None,
        row(anonymous=302, stakeholders=302, staff=403, admin=404),
    ),
    # Step 3 check-ins, Step 4 reflections, evidence files, the calendar and the worksheet.
    ("/monitoring/calendar", "GET"): ("/monitoring/calendar", None, row(anonymous=302, stakeholders=302, staff=200)),
    ("/monitoring/periods/<int:period_id>/state", "POST"): (
        "/monitoring/periods/{monitoring_period}/state",
        {"state": "open"},
        row(anonymous=302, stakeholders=302, staff=403, leader=303, admin=303),
    ),
    ("/monitoring/indicators/<int:indicator_id>/check-in", "GET"): (
        "/monitoring/indicators/{mentor_indicator}/check-in?period=1y",
        None,
        row(anonymous=302, stakeholders=302, staff=200),
    ),
    ("/monitoring/indicators/<int:indicator_id>/check-in", "POST"): (
        "/monitoring/indicators/{mentor_indicator}/check-in",
        {"period": "2y", "implemented": "yes", "evidence": "Mentor roster, checked by {role}", "actual": "93", "adjustments_needed": "no"},
        row(anonymous=302, stakeholders=302, staff=403, **{"point-person": 303}, admin=303),
    ),
    ("/monitoring/indicators/<int:indicator_id>/reflection", "GET"): (
        "/monitoring/indicators/{mentor_indicator}/reflection?period=1y",
        None,
        row(anonymous=302, stakeholders=302, staff=200),
    ),
    ("/monitoring/indicators/<int:indicator_id>/reflection", "POST"): (
        "/monitoring/indicators/{mentor_indicator}/reflection",
        {"period": "1y", "implemented": "partially", "course_correction": "Match late hires within ten days ({role})"},
        row(anonymous=302, stakeholders=302, staff=403, **{"point-person": 303}, admin=303),
    ),
    ("/monitoring/evidence/<int:file_id>", "GET"): (
        "/monitoring/evidence/{evidence}",
        None,
        row(anonymous=302, stakeholders=302, staff=200),
    ),
    ("/monitoring/evidence/<int:file_id>/delete", "POST"): (
        "/monitoring/evidence/{evidence}/delete",
        {},
        row(anonymous=302, stakeholders=302, staff=403, **{"point-person": 303}, admin=303),
    ),
    ("/monitoring/strategies/<key>/worksheet", "GET"): (
        "/monitoring/strategies/novice-mentoring/worksheet",
        None,
        row(anonymous=302, stakeholders=302, staff=200),
    ),
    ("/monitoring/strategies/<key>/worksheet.docx", "GET"): (
        "/monitoring/strategies/novice-mentoring/worksheet.docx",
        None,
        row(anonymous=302, stakeholders=302, staff=200),
    ),
    ("/monitoring/static/<path:filename>", "GET"): ("/monitoring/static/monitoring.css", None, row(everyone=200)),
    # The leaders' dashboard, the board packet and its exports, and the input summaries.
    ("/dashboard", "GET"): ("/dashboard", None, row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200)),
    ("/board-packet/<period_key>", "GET"): ("/board-packet/1y", None, row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200)),
    ("/board-packet/<period_key>/packet.pdf", "GET"): (
        "/board-packet/1y/packet.pdf",
        None,
        row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200),
    ),
    ("/board-packet/<period_key>/<any(comments, summaries, 'check-ins'):kind>.<any(csv, xlsx):file_format>", "GET"): (
        "/board-packet/2y/comments.xlsx",
        None,
        row(anonymous=302, stakeholders=302, staff=403, leader=200, admin=200),
    ),
    ("/review/strategies/<key>/periods/<period_key>", "GET"): (
        "/review/strategies/novice-mentoring/periods/2y",
        None,
        row(anonymous=302, stakeholders=302, staff=200),
    ),
    ("/review/comments/<int:comment_id>/excerpt", "POST"): (
        "/review/comments/{comment}/excerpt",
        {"action": "choose"},
        row(anonymous=302, stakeholders=302, staff=303, **{"other-point-person": 403}),
    ),
    ("/review/static/<path:filename>", "GET"): ("/review/static/review.css", None, row(everyone=200)),
}


@pytest.fixture
def world(app, plan, staff, invite, tmp_path):
    """A thread by one stakeholder, and a signed-in session cookie for each role."""
    author_invitation, author_token = invite(email="author@mail.example.com")
    novice = Strategy.get(Strategy.key == "novice-mentoring")
    thread = start_thread(author_invitation.stakeholder, novice, None, "First comment", "en")
    first_comment = Comment.get(Comment.thread == thread)
    staff_reply = reply(thread, staff["induction"], "Thank you; we are looking into it.")
    # The author's answer to the reply, which they may still edit or withdraw.
    answer = answer_back(thread, author_invitation.stakeholder, "When will it be fixed?", "en")

    tokens = {"stakeholder": author_token}
    for role in ("expired", "revoked", "replaced"):
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
    replaced = Invitation.get(Invitation.token_hash == hash_of(tokens["replaced"]))
    campaigns.resend_invitation(replaced, staff["admin"])
    campaign = make_campaign(plan, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    spare_stakeholder = Stakeholder.create(
        email="spare@mail.example.com", group=StakeholderGroup.get(StakeholderGroup.key == "parent")
    )
    spare_invitation, _token = invite(email="spare@mail.example.com")
    benchmark = (
        Benchmark.select().join(LeadingIndicator).where(LeadingIndicator.strategy == novice).order_by(Benchmark.id).first()
    )
    failed = {
        role: OutboxMessage.create(recipient="x@mail.example.com", subject="s", body_text="b", state="failed").id
        for role in ROLES
    }
    monitoring_values, evidence = route_table_values(app, tmp_path / "evidence", ROLES)
    return {
        "today": plan_today(campaign.plan).isoformat(),
        "cookies": cookies,
        "invite": invite,
        "failed": failed,
        "evidence": evidence,
        "values": {
            **monitoring_values,
            "notify": notification_token(author_invitation.stakeholder),
            "thread": thread.id,
            "comment": first_comment.id,
            "answer": answer.id,
            "reply": staff_reply.id,
            "spare": make_staff("spare@district.example.org", "point-person").id,
            "campaign": campaign.id,
            "period": campaign.period_id,
            "invitation": spare_invitation.id,
            "spare_stakeholder": spare_stakeholder.id,
            "benchmark": benchmark.id,
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
        values = {
            **world["values"],
            "token": fresh_token,
            "role": role,
            "failed": world["failed"][role],
            "evidence": world["evidence"][role],
            "today": world["today"],
        }
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

