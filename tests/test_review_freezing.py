"""Closing a period freezes its input summaries; later input counts in the next period."""

import datetime
import html
import json
import re

import pytest

from portal.feedback import operations as feedback_operations
from portal.feedback.models import Comment, Thread
from portal.feedback.operations import start_thread
from portal.plan.models import CheckIn, LeadingIndicator, MonitoringPeriod, Strategy
from portal.review.freezing import freeze_period
from portal.review.models import InputSummary, SummaryExcerpt
from portal.review.summary import count_input, summary_for
from portal.stakeholders.models import Stakeholder
from tests.test_review_summary import add_participants, sample_input  # noqa: F401  (a fixture)


def period(key):
    return MonitoringPeriod.get(MonitoringPeriod.key == key)


def strategy(key):
    return Strategy.get(Strategy.key == key)


def close(client, auth, user, key):
    auth.sign_in(user)
    response = client.post(f"/monitoring/periods/{period(key).id}/state", data={"state": "closed", "confirm": "yes"})
    assert response.status_code == 303
    return response


def test_closing_period_freezes_summaries(app, client, auth, staff, sample_input):
    # Enough people for the figures to be shown: the sample's three alone are too few.
    add_participants("early-hiring", "1y", "parent", 10)
    add_participants("early-hiring", "1y", "teacher", 5)
    live = summary_for(strategy("early-hiring"), period("1y"))

    close(client, auth, staff["leader"], "1y")

    frozen_rows = list(InputSummary.select().where(InputSummary.period == period("1y")))
    assert len(frozen_rows) == 5
    assert {row.frozen_by_id for row in frozen_rows} == {staff["leader"].id}
    frozen = summary_for(strategy("early-hiring"), period("1y"))
    assert frozen["frozen"]["by"] == staff["leader"].display_name
    assert frozen["threads"] == live["threads"] == 18
    assert frozen["replies"] == live["replies"]
    assert frozen["by_group"] == live["by_group"]

    add_participants("early-hiring", "1y", "community-member", 5)
    assert summary_for(strategy("early-hiring"), period("1y")) == frozen


def test_frozen_summary_linked_from_check_in_evidence(app, client, auth, staff, sample_input):
    close(client, auth, staff["leader"], "1y")

    check_in = CheckIn.select().join(LeadingIndicator).where((LeadingIndicator.key == "mentor-assigned") & (CheckIn.period == period("1y"))).get()
    assert "Stakeholder input summary for One-year benchmark, frozen" in check_in.evidence
    # The time is the district's, as on the pages, not UTC.
    assert re.search(r"frozen \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T by ", check_in.evidence)
    assert f"by {staff['leader'].display_name}: http://portal.test/review/strategies/novice-mentoring/periods/1y" in check_in.evidence

    check_in_page = client.get(f"/monitoring/indicators/{check_in.indicator_id}/check-in?period=1y").get_data(as_text=True)
    assert 'href="http://portal.test/review/strategies/novice-mentoring/periods/1y"' in check_in_page

    page = client.get("/review/strategies/novice-mentoring/periods/1y")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Frozen" in text
    assert f"by {staff['leader'].display_name}" in text


def test_comment_after_close_counts_in_next_period(app, client, auth, staff, sample_input, monkeypatch):
    close(client, auth, staff["leader"], "1y")
    before_closed = summary_for(strategy("novice-mentoring"), period("1y"))
    before_next = summary_for(strategy("novice-mentoring"), period("2y"))

    # A comment posted on March 10, 2026, inside the closed period's window.
    monkeypatch.setattr(feedback_operations, "utcnow", lambda: datetime.datetime(2026, 3, 10, 15, 0))
    author = Stakeholder.get(Stakeholder.email == "pat.wright@harborcity.example.org")
    thread = start_thread(author, strategy("novice-mentoring"), None, "Mentors came to our planning meeting.", "en")

    assert thread.period.key == "2y"
    after_closed = summary_for(strategy("novice-mentoring"), period("1y"))
    after_next = summary_for(strategy("novice-mentoring"), period("2y"))
    assert after_closed == before_closed
    # Two people are too few for the count of threads to be shown, so it is read from the raw input.
    assert len(count_input(strategy("novice-mentoring"), period("2y"))["threads"]) == 2
    assert before_next["by_group"] != after_next["by_group"]
    assert {row["group"] for row in after_next["by_group"]} == {"parent", "teacher-leader"}


def test_strategy_page_lists_frozen_summary(app, client, auth, staff, sample_input):
    close(client, auth, staff["leader"], "1y")
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    assert "Stakeholder input by period" in page
    assert f"by {staff['leader'].display_name} and attached to the period's check-ins" in page
    assert "live until the period is closed" in page


def test_benchmark_comment_after_close_moves_on(app, client, auth, staff, sample_input):
    from portal.plan.models import Benchmark

    close(client, auth, staff["leader"], "1y")
    benchmark = Benchmark.get((Benchmark.period == period("1y")) & Benchmark.superseded_by.is_null())
    author = Stakeholder.get(Stakeholder.email == "pat.wright@harborcity.example.org")
    before_closed = summary_for(benchmark.indicator.strategy, period("1y"))

    thread = start_thread(author, benchmark.indicator.strategy, benchmark, "Still no mentor here.", "en")

    assert thread.period.key == "2y"
    assert summary_for(benchmark.indicator.strategy, period("1y")) == before_closed


def test_frozen_summary_kept_when_reclosed(app, client, auth, staff, sample_input):
    add_participants("early-hiring", "1y", "parent", 10)
    add_participants("early-hiring", "1y", "teacher", 5)
    close(client, auth, staff["leader"], "1y")
    first = InputSummary.get((InputSummary.strategy == strategy("early-hiring")) & (InputSummary.period == period("1y")))
    evidence = [check_in.evidence for check_in in CheckIn.select().order_by(CheckIn.id)]

    assert client.post(f"/monitoring/periods/{period('1y').id}/state", data={"state": "open"}).status_code == 303
    Thread.update(state="closed", outcome="changed").where(Thread.period == period("1y")).execute()
    freeze_period(period("1y"), staff["admin"])

    again = InputSummary.get(InputSummary.id == first.id)
    assert again.data == first.data
    assert again.frozen_by_id == staff["leader"].id
    assert json.loads(again.data)["loops_closed"]["count"] == 0
    assert [check_in.evidence for check_in in CheckIn.select().order_by(CheckIn.id)] == evidence


def test_point_person_cannot_close(app, client, auth, staff, sample_input):
    auth.sign_in(staff["induction"])

    response = client.post(f"/monitoring/periods/{period('1y').id}/state", data={"state": "closed", "confirm": "yes"})

    assert response.status_code == 403
    assert InputSummary.select().count() == 0


def first_comment(strategy_key, period_key):
    return (
        Comment.select()
        .join(Thread)
        .where((Thread.strategy == strategy(strategy_key)) & (Thread.period == period(period_key)) & Comment.stakeholder.is_null(False))
        .order_by(Comment.id)
        .first()
    )


def test_point_person_chooses_excerpt_without_javascript(app, client, auth, staff, sample_input):
    comment = first_comment("novice-mentoring", "1y")
    auth.sign_in(staff["induction"])

    response = client.post(f"/review/comments/{comment.id}/excerpt", data={"action": "choose", "next": f"/threads/{comment.thread_id}"})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/threads/{comment.thread_id}"
    assert SummaryExcerpt.select().count() == 1
    thread_page = client.get(f"/threads/{comment.thread_id}").get_data(as_text=True)
    assert "Quoted in the input summary for one-year benchmark." in thread_page
    summary_page = client.get("/review/strategies/novice-mentoring/periods/1y").get_data(as_text=True)
    assert comment.body in summary_page

    response = client.post(f"/review/comments/{comment.id}/excerpt", data={"action": "remove", "next": "//elsewhere.example.org/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/review/strategies/novice-mentoring/periods/1y"
    assert SummaryExcerpt.select().count() == 0


def test_excerpt_frozen_with_summary(app, client, auth, staff, sample_input):
    comment = first_comment("novice-mentoring", "1y")
    auth.sign_in(staff["induction"])
    client.post(f"/review/comments/{comment.id}/excerpt", data={"action": "choose"})
    close(client, auth, staff["leader"], "1y")

    auth.sign_in(staff["induction"])
    response = client.post(f"/review/comments/{comment.id}/excerpt", data={"action": "remove"})

    assert response.status_code == 409
    assert "was frozen when the period closed, so its excerpts can no longer change" in response.get_data(as_text=True)
    assert SummaryExcerpt.select().count() == 1
    frozen = summary_for(strategy("novice-mentoring"), period("1y"))
    assert [excerpt["body"] for excerpt in frozen["excerpts"]] == [comment.body]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "frame"}, "'frame' is not an excerpt action. Send choose to quote the comment or remove"),
        ({}, "'' is not an excerpt action"),
    ],
)
def test_excerpt_bad_action_rejected(app, client, auth, staff, sample_input, data, message):
    comment = first_comment("novice-mentoring", "1y")
    auth.sign_in(staff["leader"])

    response = client.post(f"/review/comments/{comment.id}/excerpt", data=data)

    assert response.status_code == 409
    assert message in html.unescape(response.get_data(as_text=True))
    assert SummaryExcerpt.select().count() == 0


def test_excerpt_of_staff_reply_rejected(app, client, auth, staff, sample_input):
    reply = Comment.select().join(Thread).where((Thread.strategy == strategy("novice-mentoring")) & Comment.staff.is_null(False)).first()
    auth.sign_in(staff["leader"])

    response = client.post(f"/review/comments/{reply.id}/excerpt", data={"action": "choose"})

    assert response.status_code == 409
    assert "Only a stakeholder's comment can be quoted" in html.unescape(response.get_data(as_text=True))


def test_other_point_person_cannot_choose(app, client, auth, staff, sample_input):
    comment = first_comment("novice-mentoring", "1y")
    auth.sign_in(staff["talent"])

    response = client.post(f"/review/comments/{comment.id}/excerpt", data={"action": "choose"})

    assert response.status_code == 403
    assert SummaryExcerpt.select().count() == 0


def test_closing_asks_first_and_changes_nothing_until_confirmed(app, client, auth, staff, sample_input):
    auth.sign_in(staff["leader"])

    response = client.post(f"/monitoring/periods/{period('1y').id}/state", data={"state": "closed"})

    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "Close One-year benchmark?" in text
    assert "The period's 12 check-ins can then be changed by administrators only." in text
    assert "The stakeholder input summary of each of the 5 strategies is frozen" in text
    assert "The 11 open conversations stay open for replies." in text
    assert "Comments that arrive from now on count in the next period" in text
    assert "This is the plan's last period" not in text
    assert 'name="confirm" value="yes"' in text
    assert period("1y").state != "closed"
    assert InputSummary.select().count() == 0


def test_failed_freeze_leaves_period_open(app, client, auth, staff, sample_input, monkeypatch):
    from portal.review import freezing

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(freezing, "build_summary", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = period("1y").state
    auth.sign_in(staff["leader"])

    response = client.post(f"/monitoring/periods/{period('1y').id}/state", data={"state": "closed", "confirm": "yes"})

    assert response.status_code == 500
    assert period("1y").state == before
    assert period("1y").closed_at is None
    assert InputSummary.select().count() == 0


def test_closing_last_period_warns_of_open_campaign(app, client, auth, staff, sample_input):
    from tests.test_campaigns import make_campaign

    make_campaign(sample_input, staff, name="Spring check-in")
    auth.sign_in(staff["leader"])

    text = html.unescape(client.post(f"/monitoring/periods/{period('2y').id}/state", data={"state": "closed"}).get_data(as_text=True))

    assert "This is the plan's last period, so comments that arrive from now on count in no period's summary." in text
    assert "The campaign “Spring check-in” still takes comments until" in text
