"""Closing the loop: notes, handing on, themes, outcomes, moderation, ratings and the inbox."""

import datetime

import pytest

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.feedback.models import Comment, Theme, Thread, ThreadTheme
from portal.mail.models import OutboxMessage
from portal.plan.models import MonitoringPeriod, Plan, Reflection
from tests.conftest import Auth, count_queries

STRATEGY = "/strategies/novice-mentoring"


@pytest.fixture
def family(app, plan, invite):
    """A client signed in as a parent who has commented once; returns (client, thread)."""
    client = app.test_client()
    _invitation, token = invite(email="rosa@mail.example.com", language="es")
    Auth(client).open_invitation(token)
    client.post(f"{STRATEGY}/comments", data={"body": "Mentors never visit.", "language": "es", "benchmark": ""})
    return client, Thread.get()


def signed_in(app, user):
    client = app.test_client()
    Auth(client).sign_in(user)
    return client


def themes_for(plan, *labels):
    return [Theme.create(plan=plan, label=label, position=number) for number, label in enumerate(labels)]


def test_note_hidden_from_stakeholder(app, family, staff):
    parent, thread = family
    office = signed_in(app, staff["leader"])
    response = office.post(f"/threads/{thread.id}/comments", data={"body": "Check with HR first.", "internal": "y"})
    assert response.status_code == 303
    assert Comment.get(Comment.internal == True).body == "Check with HR first."  # noqa: E712
    assert "Check with HR first." not in parent.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Check with HR first." in office.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert OutboxMessage.select().count() == 0
    assert Thread.get_by_id(thread.id).state == "awaiting_reply"


def test_leader_cannot_reply_to_stakeholder(app, family, staff):
    _parent, thread = family
    office = signed_in(app, staff["leader"])
    assert office.post(f"/threads/{thread.id}/comments", data={"body": "Hello"}).status_code == 403


def test_handed_thread_moves_to_assignee(app, family, staff):
    _parent, thread = family
    induction = signed_in(app, staff["induction"])
    talent = signed_in(app, staff["talent"])
    assert talent.post(f"/threads/{thread.id}/comments", data={"body": "Hi"}).status_code == 403

    response = induction.post(f"/threads/{thread.id}/assign", data={"assignee": staff["talent"].id})
    assert response.status_code == 303
    assert f"/threads/{thread.id}" in talent.get("/inbox").get_data(as_text=True)
    assert f"/threads/{thread.id}" not in induction.get("/inbox").get_data(as_text=True)
    assert talent.post(f"/threads/{thread.id}/comments", data={"body": "I can help."}).status_code == 303
    assert induction.post(f"/threads/{thread.id}/comments", data={"body": "Me too"}).status_code == 403
    assert AuditEvent.select().where(AuditEvent.action == "thread.assigned").count() == 1


def test_hand_on_requires_point_person(app, family, staff):
    _parent, thread = family
    induction = signed_in(app, staff["induction"])
    response = induction.post(f"/threads/{thread.id}/assign", data={"assignee": staff["leader"].id})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert Thread.get_by_id(thread.id).assigned_to_id is None


def test_themes_tagged_and_replaced(app, plan, family, staff):
    _parent, thread = family
    mentors, time = themes_for(plan, "Mentor visits", "Release time")
    induction = signed_in(app, staff["induction"])
    induction.post(f"/threads/{thread.id}/themes", data={"themes": [mentors.id, time.id]})
    assert ThreadTheme.select().count() == 2
    induction.post(f"/threads/{thread.id}/themes", data={"themes": [time.id]})
    assert [link.theme_id for link in ThreadTheme.select()] == [time.id]
    assert induction.post(f"/threads/{thread.id}/themes", data={"themes": [9999]}).status_code == 422
    assert [link.theme_id for link in ThreadTheme.select()] == [time.id]


def test_close_with_outcome_emails_stakeholder(app, plan, family, staff):
    parent, thread = family
    reflection = Reflection.select().first()
    induction = signed_in(app, staff["induction"])
    response = induction.post(
        f"/threads/{thread.id}/close",
        data={"outcome": "changed", "note": "Mentors now visit weekly.", "reflection": "0"},
    )
    assert response.status_code == 303
    closed = Thread.get_by_id(thread.id)
    assert closed.state == "closed"
    assert closed.outcome == "changed"
    assert closed.closed_by_id == staff["induction"].id
    message = OutboxMessage.get(OutboxMessage.kind == "closed")
    assert message.recipient == "rosa@mail.example.com"
    assert "Mentors now visit weekly." in message.body_text
    assert "Mentors now visit weekly." in parent.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert reflection is not None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"outcome": "", "note": "Done"}, "Choose what came of this comment."),
        ({"outcome": "maybe", "note": "Done"}, "Not a valid choice"),
        ({"outcome": "changed", "note": "  "}, "Say what was done, or why it is not planned"),
    ],
    ids=["no-outcome", "bad-outcome", "no-note"],
)
def test_close_rejects_bad_input(app, family, staff, data, message):
    _parent, thread = family
    induction = signed_in(app, staff["induction"])
    response = induction.post(f"/threads/{thread.id}/close", data={**data, "reflection": "0"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Thread.get_by_id(thread.id).state == "awaiting_reply"


def test_close_only_by_its_point_person(app, family, staff):
    _parent, thread = family
    for user in (staff["talent"], staff["leader"]):
        response = signed_in(app, user).post(f"/threads/{thread.id}/close", data={"outcome": "changed", "note": "x"})
        assert response.status_code == 403


def test_you_said_we_did_lists_outcomes(app, plan, family, staff):
    parent, thread = family
    (mentors,) = themes_for(plan, "Mentor visits")
    induction = signed_in(app, staff["induction"])
    induction.post(f"/threads/{thread.id}/themes", data={"themes": [mentors.id]})
    induction.post(f"/threads/{thread.id}/close", data={"outcome": "changed", "note": "Weekly visits now.", "reflection": "0"})
    period = Thread.get_by_id(thread.id).period

    page = parent.get(f"{STRATEGY}/you-said-we-did?period={period.key}").get_data(as_text=True)
    assert "Mentor visits" in page
    assert "Weekly visits now." in page
    assert "Mentors never visit." not in page
    other = MonitoringPeriod.select().where(MonitoringPeriod.id != period.id).first()
    assert "Weekly visits now." not in parent.get(f"{STRATEGY}/you-said-we-did?period={other.key}").get_data(as_text=True)
    assert parent.get(f"{STRATEGY}/you-said-we-did?period=10y").status_code == 404


def test_leader_hides_comment_and_author_is_told(app, plan, family, staff):
    parent, thread = family
    comment = Comment.get()
    leader = signed_in(app, staff["leader"])
    response = leader.post(f"/comments/{comment.id}/hide", data={"reason": "It names a teacher."})
    assert response.status_code == 303
    assert Comment.get_by_id(comment.id).hidden_reason == "It names a teacher."
    assert Comment.select().count() == 1
    assert OutboxMessage.get(OutboxMessage.kind == "hidden").recipient == "rosa@mail.example.com"
    assert AuditEvent.select().where(AuditEvent.action == "comment.hidden").count() == 1
    page = parent.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "It names a teacher." in page
    assert "Mentors never visit." not in page
    assert "Mentors never visit." in leader.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_hidden_thread_leaves_report(app, plan, family, staff):
    parent, thread = family
    signed_in(app, staff["leader"]).post(f"/comments/{Comment.get().id}/hide", data={"reason": "Off topic."})
    period = Thread.get_by_id(thread.id).period
    from portal.feedback.report import you_said_we_did

    assert you_said_we_did(thread.strategy, period).threads == 0


def test_hide_rules(app, family, staff):
    _parent, _thread = family
    comment = Comment.get()
    assert signed_in(app, staff["induction"]).post(f"/comments/{comment.id}/hide", data={"reason": "x"}).status_code == 403
    leader = signed_in(app, staff["leader"])
    assert leader.post(f"/comments/{comment.id}/hide", data={"reason": " "}).status_code == 422
    assert Comment.get_by_id(comment.id).hidden_at is None
    leader.post(f"/comments/{comment.id}/hide", data={"reason": "Off topic."})
    assert leader.post(f"/comments/{comment.id}/hide", data={"reason": "Again"}).status_code == 409


def test_stakeholder_rates_reply(app, family, staff):
    parent, thread = family
    induction = signed_in(app, staff["induction"])
    induction.post(f"/threads/{thread.id}/comments", data={"body": "We will check."})
    reply = Comment.get(Comment.staff.is_null(False))
    assert parent.post(f"/comments/{reply.id}/rating", data={"helpful": "yes"}).status_code == 303
    assert Comment.get_by_id(reply.id).helpful is True
    assert parent.post(f"/comments/{reply.id}/rating", data={"helpful": "maybe"}).status_code == 400
    assert parent.post(f"/comments/{Comment.get(Comment.stakeholder.is_null(False)).id}/rating", data={"helpful": "yes"}).status_code == 404
    assert "rated 1 rated reply helpful" not in induction.get("/inbox").get_data(as_text=True)
    assert "100% of 1 rated reply helpful" in induction.get("/inbox").get_data(as_text=True)


def test_other_stakeholder_cannot_rate(app, family, staff, invite):
    _parent, thread = family
    signed_in(app, staff["induction"]).post(f"/threads/{thread.id}/comments", data={"body": "We will check."})
    reply = Comment.get(Comment.staff.is_null(False))
    other = app.test_client()
    _invitation, token = invite(email="other@mail.example.com")
    Auth(other).open_invitation(token)
    assert other.post(f"/comments/{reply.id}/rating", data={"helpful": "no"}).status_code == 403
    assert Comment.get_by_id(reply.id).helpful is None


def test_inbox_filters_by_state_and_language(app, plan, family, staff, invite):
    _parent, thread = family
    teacher = app.test_client()
    _invitation, token = invite(email="teacher@school.example.org", group="teacher")
    Auth(teacher).open_invitation(token)
    teacher.post(f"{STRATEGY}/comments", data={"body": "Fine here.", "language": "en", "benchmark": ""})
    english = Thread.get(Thread.language == "en")
    Thread.update(last_activity_at=utcnow() - datetime.timedelta(days=30)).where(Thread.id == english.id).execute()
    induction = signed_in(app, staff["induction"])

    def listed(query):
        page = induction.get(f"/inbox?{query}").get_data(as_text=True)
        return {thread_id for thread_id in (thread.id, english.id) if f"/threads/{thread_id}\"" in page}

    assert listed("") == {thread.id, english.id}
    assert listed("state=overdue") == {english.id}
    assert listed("language=es") == {thread.id}
    group = english.stakeholder.group_id
    assert listed(f"group={group}") == {english.id}
    assert listed("state=closed") == set()
    nav = induction.get("/inbox").get_data(as_text=True)
    assert "Inbox (2 waiting, 1 overdue)" in nav


def test_inbox_rejects_bad_filters(app, family, staff):
    _parent, thread = family
    induction = signed_in(app, staff["induction"])
    response = induction.get(f"/inbox?state=nonsense&strategy=abc&language=es&group={thread.stakeholder.group_id + 99}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Some filters were not applied" in page
    assert "&#39;nonsense&#39; is not one of the thread states, so this filter was not applied." in page
    assert "&#39;abc&#39; is not one of the plan&#39;s strategies" in page
    assert f"&#39;{thread.stakeholder.group_id + 99}&#39; is not one of the stakeholder groups" in page
    assert "Choose a value from the list." in page
    # The valid language filter still applies, and the bad ones fall back to their defaults.
    assert "Awaiting reply: 1" in page
    assert f"/threads/{thread.id}\"" in page
    assert "is not one of the comment languages" not in page
    english = induction.get("/inbox?language=en&period=x").get_data(as_text=True)
    assert "Awaiting reply: 0" in english
    assert "&#39;x&#39; is not one of the plan&#39;s monitoring periods" in english


def test_thread_page_query_count_fixed(app, plan, family, staff):
    parent, thread = family
    themes_for(plan, "One", "Two")
    induction = signed_in(app, staff["induction"])
    with count_queries() as before:
        induction.get(f"/threads/{thread.id}")
    for number in range(4):
        parent.post(f"/threads/{thread.id}/comments", data={"body": f"More {number}"})
        induction.post(f"/threads/{thread.id}/comments", data={"body": f"Reply {number}"})
    with count_queries() as after:
        induction.get(f"/threads/{thread.id}")
    assert after.count == before.count, "\n".join(after.statements)


def test_themes_page_adds_and_rejects(app, plan, staff):
    leader = signed_in(app, staff["leader"])
    assert leader.post("/themes", data={"label": "  Mentor time "}).status_code == 303
    assert Theme.get().label == "Mentor time"
    duplicate = leader.post("/themes", data={"label": "mentor TIME"})
    assert duplicate.status_code == 422
    assert "already on the list" in duplicate.get_data(as_text=True)
    assert leader.post("/themes", data={"label": ""}).status_code == 422
    assert leader.post("/themes", data={"label": "x" * 101}).status_code == 422
    assert Theme.select().count() == 1
    assert signed_in(app, staff["induction"]).get("/themes").status_code == 403
    assert Plan.select().count() == 1


def test_unticking_every_theme_clears_them(app, plan, family, staff):
    _parent, thread = family
    (mentors,) = themes_for(plan, "Mentor visits")
    induction = signed_in(app, staff["induction"])
    induction.post(f"/threads/{thread.id}/themes", data={"themes": [mentors.id]})
    assert induction.post(f"/threads/{thread.id}/themes", data={}).status_code == 303
    assert ThreadTheme.select().count() == 0


def test_strategy_page_links_you_said_we_did(family):
    parent, _thread = family
    page = parent.get(STRATEGY).get_data(as_text=True)
    assert f'href="{STRATEGY}/you-said-we-did"' in page


def test_hand_on_offers_only_others(app, family, staff):
    _parent, thread = family
    page = signed_in(app, staff["induction"]).get(f"/threads/{thread.id}").get_data(as_text=True)
    assert f'<option value="{staff["talent"].id}">' in page
    assert f'<option value="{staff["induction"].id}">' not in page
    response = signed_in(app, staff["induction"]).post(f"/threads/{thread.id}/assign", data={"assignee": staff["induction"].id})
    assert response.status_code == 422
    assert Thread.get_by_id(thread.id).assigned_to_id is None


def test_failed_close_summarised_at_top(app, family, staff):
    _parent, thread = family
    text = signed_in(app, staff["induction"]).post(
        f"/threads/{thread.id}/close", data={"outcome": "", "note": "", "reflection": "0"}
    ).get_data(as_text=True)
    assert text.index("Nothing was changed") < text.index("<h1>")
    assert "Choose what came of this comment." in text[: text.index("<h1>")]


def test_reply_flash_when_email_off(app, family, staff):
    _parent, thread = family
    stakeholder = thread.stakeholder
    stakeholder.notifications_enabled = False
    stakeholder.save()
    office = signed_in(app, staff["induction"])
    office.post(f"/threads/{thread.id}/comments", data={"body": "We will look."})
    page = office.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "turned off email" in page
    assert OutboxMessage.select().count() == 0


def test_htmx_reply_refreshes_nav_counts(app, family, staff):
    _parent, thread = family
    office = signed_in(app, staff["induction"])
    assert "Inbox (1 waiting)" in office.get("/inbox").get_data(as_text=True)
    text = office.post(
        f"/threads/{thread.id}/comments", data={"body": "Thanks."}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert '<li id="nav-inbox" hx-swap-oob="true">' in text
    assert "Inbox (0 waiting)" in text
