"""Pages by kind of stakeholder, the benchmark pulse, and editing or withdrawing a comment."""

import datetime
import json

import pytest

from portal.db import utcnow
from portal.feedback.models import Comment, PulseAnswer, Thread
from portal.plan.models import Benchmark, LeadingIndicator, Strategy
from portal.plan.status import plan_today
from portal.stakeholders import campaigns


def first_benchmark(key="novice-mentoring"):
    return (
        Benchmark.select()
        .join(LeadingIndicator)
        .join(Strategy)
        .where(Strategy.key == key)
        .order_by(Benchmark.id)
        .first()
    )


def signed_in(client, invite, **details):
    _invitation, token = invite(**details)
    assert client.post(f"/invitation/{token}").status_code == 303
    return client


def test_family_page_is_plain_language(client, plan, invite):
    strategy = Strategy.get(Strategy.key == "novice-mentoring")
    strategy.summaries = json.dumps({"en": "New teachers get a mentor.", "es": "Los maestros nuevos reciben un mentor."})
    strategy.save()
    signed_in(client, invite, email="rosa@mail.example.com", group="parent", language="es")
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "En su escuela" in page
    assert "Los maestros nuevos reciben un mentor." in page
    assert "¿Está funcionando esto en su escuela?" in page
    assert page.index("En su escuela") < page.index("Ver todos los detalles y las cifras")
    overview = client.get("/").get_data(as_text=True)
    assert "De qué se trata" in overview
    assert "Los maestros nuevos reciben un mentor." in overview


def test_teacher_page_leads_with_data(client, plan, invite):
    signed_in(client, invite, email="sam@mail.example.com", group="teacher")
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "At your school" not in page
    assert "Benchmarks and actual values" in page
    assert "Is this working at your school?" in page
    assert "Where the plan stands" not in client.get("/").get_data(as_text=True)


def test_board_member_starts_from_status(client, plan, invite):
    signed_in(client, invite, email="board@mail.example.com", group="board-member")
    overview = client.get("/").get_data(as_text=True)
    assert "Where the plan stands" in overview
    assert overview.index("Where the plan stands") < overview.index("Strategies</h2>")


def test_pulse_saves_and_changes(client, plan, invite):
    signed_in(client, invite, email="rosa@mail.example.com")
    benchmark = first_benchmark()
    response = client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "no"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#benchmark-{benchmark.id}")
    client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "somewhat"})
    answers = list(PulseAnswer.select())
    assert [answer.answer for answer in answers] == ["somewhat"]
    assert answers[0].period_id == benchmark.period_id
    assert answers[0].group.key == "parent"
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "Your answer: Somewhat." in page


def test_pulse_htmx_returns_fragment(client, plan, invite):
    signed_in(client, invite, email="rosa@mail.example.com")
    benchmark = first_benchmark()
    response = client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "yes"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="pulse-{benchmark.id}"' in html
    assert "Saved." in html
    assert "<html" not in html


def test_pulse_rejects_unknown_answer(client, plan, invite):
    signed_in(client, invite, email="rosa@mail.example.com")
    benchmark = first_benchmark()
    client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "yes"})
    response = client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "maybe"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Choose one of the answers" in response.get_data(as_text=True)
    assert PulseAnswer.get().answer == "yes"


def test_pulse_out_of_scope_forbidden(client, plan, invite):
    signed_in(client, invite, email="scoped@mail.example.com", strategies=["prep-partnerships"])
    response = client.post(f"/benchmarks/{first_benchmark().id}/pulse", data={"answer": "yes"})
    assert response.status_code == 403
    assert PulseAnswer.select().count() == 0


def test_staff_see_pulse_tallies(client, auth, plan, staff, invite):
    signed_in(client, invite, email="rosa@mail.example.com")
    client.post(f"/benchmarks/{first_benchmark().id}/pulse", data={"answer": "no"})
    auth.sign_out()
    auth.sign_in(staff["leader"])
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "Is it working? Yes 0 · somewhat 0 · no 1 · not sure 0" in page


def test_pulse_closed_outside_window(client, plan, staff, invite):
    from tests.test_campaigns import make_campaign

    today = plan_today(plan)
    campaign = make_campaign(
        plan, staff, opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    invitation, token = invite(email="late@mail.example.com")
    invitation.campaign = campaign
    invitation.save()
    assert client.post(f"/invitation/{token}").status_code == 303
    response = client.post(f"/benchmarks/{first_benchmark().id}/pulse", data={"answer": "yes"}, follow_redirects=True)
    assert "Comments for this round closed on" in response.get_data(as_text=True)
    assert PulseAnswer.select().count() == 0
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "Send comment" not in page


@pytest.fixture
def own_comment(client, plan, invite):
    signed_in(client, invite, email="rosa@mail.example.com")
    client.post("/strategies/novice-mentoring/comments", data={"body": "Our mentor left.", "language": "en", "benchmark": ""})
    return Comment.get()


def test_author_edits_comment(client, own_comment):
    page = client.get(f"/threads/{own_comment.thread_id}").get_data(as_text=True)
    assert "You can change or withdraw this until" in page
    assert client.get(f"/comments/{own_comment.id}/edit").status_code == 200
    response = client.post(f"/comments/{own_comment.id}/edit", data={"body": "Our mentor left in October."})
    assert response.status_code == 303
    edited = Comment.get_by_id(own_comment.id)
    assert edited.body == "Our mentor left in October."
    assert edited.edited_at is not None
    assert "Edited" in client.get(f"/threads/{own_comment.thread_id}").get_data(as_text=True)


def test_edit_rejects_empty_text(client, own_comment):
    response = client.post(f"/comments/{own_comment.id}/edit", data={"body": "   "})
    assert response.status_code == 422
    assert "Write your comment before saving it" in response.get_data(as_text=True)
    assert Comment.get_by_id(own_comment.id).body == "Our mentor left."


def test_edit_after_window_refused(client, own_comment):
    late = utcnow() - datetime.timedelta(minutes=16)
    Comment.update(created_at=late).where(Comment.id == own_comment.id).execute()
    response = client.post(f"/comments/{own_comment.id}/edit", data={"body": "Changed"}, follow_redirects=True)
    assert "that time has passed" in response.get_data(as_text=True)
    assert Comment.get_by_id(own_comment.id).body == "Our mentor left."
    client.post(f"/comments/{own_comment.id}/withdraw")
    assert Comment.get_by_id(own_comment.id).withdrawn_at is None


def test_withdraw_asks_to_confirm(client, own_comment):
    response = client.get(f"/comments/{own_comment.id}/withdraw")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Withdraw your comment?" in page
    assert "Our mentor left." in page
    assert Comment.get_by_id(own_comment.id).withdrawn_at is None


def test_withdraw_takes_thread_out_of_inbox(client, auth, staff, own_comment):
    response = client.post(f"/comments/{own_comment.id}/withdraw")
    assert response.status_code == 303
    assert Comment.get_by_id(own_comment.id).withdrawn_at is not None
    assert Thread.get_by_id(own_comment.thread_id).state == "withdrawn"
    assert "The author withdrew this comment." in client.get(f"/threads/{own_comment.thread_id}").get_data(as_text=True)
    again = client.post(f"/comments/{own_comment.id}/withdraw", follow_redirects=True)
    assert "You already withdrew this comment." in again.get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(staff["induction"])
    staff_page = client.get(f"/threads/{own_comment.thread_id}").get_data(as_text=True)
    assert "Our mentor left." not in staff_page
    assert Thread.awaiting_reply().count() == 0


def test_no_change_after_reply(client, staff, own_comment):
    from portal.feedback.operations import reply

    reply(own_comment.thread, staff["induction"], "We are on it.")
    refused = client.post(f"/comments/{own_comment.id}/withdraw", follow_redirects=True)
    assert "Staff have replied to this comment" in refused.get_data(as_text=True)
    assert Comment.get_by_id(own_comment.id).withdrawn_at is None
    client.post(f"/comments/{own_comment.id}/edit", data={"body": "Changed after the reply"})
    assert Comment.get_by_id(own_comment.id).body == "Our mentor left."
    assert Thread.get_by_id(own_comment.thread_id).state == "answered"
    page = client.get(f"/threads/{own_comment.thread_id}").get_data(as_text=True)
    assert "You can change or withdraw this until" not in page


def test_someone_elses_comment_forbidden(client, own_comment, invite):
    client.post("/sign-out")
    signed_in(client, invite, email="other@mail.example.com", group="teacher")
    assert client.get(f"/comments/{own_comment.id}/edit").status_code == 403
    assert client.get(f"/comments/{own_comment.id}/withdraw").status_code == 403
    assert client.post(f"/comments/{own_comment.id}/withdraw").status_code == 403
    assert Comment.get_by_id(own_comment.id).withdrawn_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_replaced_link_explains_in_language(client, plan, staff, invite, method):
    invitation, token = invite(email="rosa@mail.example.com", language="es")
    new = campaigns.resend_invitation(invitation, staff["admin"])
    response = getattr(client, method)(f"/invitation/{token}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Le enviamos un enlace de invitación más reciente" in page
    assert "/new-link" in page
    assert new.state(utcnow()) == "valid"


def test_session_of_replaced_link_ends(client, plan, staff, invite):
    invitation, token = invite(email="rosa@mail.example.com")
    assert client.post(f"/invitation/{token}").status_code == 303
    campaigns.resend_invitation(invitation, staff["admin"])
    assert client.get("/strategies/novice-mentoring").status_code == 403
    welcome = client.get("/")
    assert welcome.status_code == 403
    assert "newer invitation link" in welcome.get_data(as_text=True)


def test_pulse_rejected_for_closed_period(client, plan, invite):
    benchmark = first_benchmark()
    signed_in(client, invite, email="rosa@mail.example.com")
    client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "yes"})
    benchmark.period.state = "closed"
    benchmark.period.save()
    response = client.post(f"/benchmarks/{benchmark.id}/pulse", data={"answer": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "closed when the district reviewed that period" in response.get_data(as_text=True)
    assert PulseAnswer.get().answer == "yes"
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert f'id="pulse-{benchmark.id}"' not in page
