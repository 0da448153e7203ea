"""Comments on strategies and benchmarks, replies, answers back and the inbox."""

import pytest

from portal.feedback.models import Comment, Thread
from portal.mail.models import OutboxMessage
from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod
from tests.conftest import count_queries

STRATEGY_COMMENTS = "/strategies/novice-mentoring/comments"
HTMX = {"HX-Request": "true"}


def benchmark(indicator_key, period_key):
    return (
        Benchmark.select()
        .join(LeadingIndicator)
        .switch(Benchmark)
        .join(MonitoringPeriod)
        .where((LeadingIndicator.key == indicator_key) & (MonitoringPeriod.key == period_key))
        .get()
    )


@pytest.fixture
def parent(client, plan, invite, auth):
    """A client signed in as an invited parent; returns the stakeholder."""
    invitation, token = invite(email="rosa@mail.example.com")
    auth.open_invitation(token)
    return invitation.stakeholder


def comment(client, body="We have no mentor yet.", benchmark_id="", headers=None, language="en"):
    return client.post(
        STRATEGY_COMMENTS, data={"body": body, "language": language, "benchmark": benchmark_id}, headers=headers or {}
    )


def test_comment_on_strategy_starts_thread(client, parent):
    response = comment(client)
    assert response.status_code == 303
    thread = Thread.get()
    assert response.headers["Location"] == f"/threads/{thread.id}"
    assert thread.benchmark is None
    assert thread.state == "awaiting_reply"
    assert thread.stakeholder_id == parent.id
    assert Comment.get().body == "We have no mentor yet."


def test_comment_on_benchmark_keeps_period(client, parent):
    target = benchmark("mentor-assigned", "3m")
    response = comment(client, benchmark_id=str(target.id), language="es", body="Mi hija no tiene mentora.")
    assert response.status_code == 303
    thread = Thread.get()
    assert thread.benchmark_id == target.id
    assert thread.period_id == target.period_id
    assert Comment.get().language == "es"


def test_comment_with_htmx_returns_form_fragment(client, parent):
    response = comment(client, headers=HTMX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in text
    assert 'id="comment-form-strategy"' in text
    assert "Thank you. Your comment was sent" in text
    assert 'hx-swap-oob="true"' in text
    assert Thread.select().count() == 1


def test_comment_with_htmx_refreshes_own_comments(client, parent):
    comment(client, headers=HTMX, body="First: no mentor yet.")

    text = comment(client, headers=HTMX, body="Second: still no mentor.").get_data(as_text=True)

    section = text[text.index('<section id="strategy-threads"'):]
    assert 'hx-swap-oob="true"' in section[:200]
    assert "Your comments" in section
    assert section.index("Second: still no mentor.") < section.index("First: no mentor yet.")


def test_failed_htmx_comment_leaves_own_comments_alone(client, parent):
    text = comment(client, headers=HTMX, body="").get_data(as_text=True)

    assert "strategy-threads" not in text


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "Write your comment before sending it."),
        ("   \n  ", "Write your comment before sending it."),
        ("x" * 5001, "Your comment is 5001 characters long; the limit is 5000."),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_bad_comment_rejected_and_kept(client, parent, body, message):
    comment(client, body="An earlier comment that must survive.")
    for headers in ({}, HTMX):
        response = comment(client, body=body, headers=headers)
        text = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in text
        assert 'aria-invalid="true"' in text
    assert Comment.select().count() == 1
    assert Comment.get().body == "An earlier comment that must survive."


def test_too_long_comment_text_is_kept_in_form(client, parent):
    text = comment(client, body="y" * 5001).get_data(as_text=True)
    assert "y" * 5001 in text


def test_comment_on_other_strategys_benchmark_rejected(client, parent):
    foreign = benchmark("prep-survey-agree", "3m")
    assert comment(client, benchmark_id=str(foreign.id)).status_code == 404
    assert comment(client, benchmark_id="abc").status_code == 404
    assert Thread.select().count() == 0


def test_unknown_language_rejected(client, parent):
    response = comment(client, language="xx")
    assert response.status_code == 422
    assert Thread.select().count() == 0


@pytest.fixture
def thread(client, parent):
    comment(client, benchmark_id=str(benchmark("mentor-assigned", "3m").id))
    return Thread.get()


def staff_client(app, user):
    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).sign_in(user)
    return client


def test_point_person_reply_queues_email(app, thread, staff):
    office = staff_client(app, staff["induction"])
    response = office.post(f"/threads/{thread.id}/comments", data={"body": "We matched a mentor on Monday."})
    assert response.status_code == 303
    assert Thread.get_by_id(thread.id).state == "answered"
    reply = Comment.select().where(Comment.staff.is_null(False)).get()
    assert reply.staff_id == staff["induction"].id
    message = OutboxMessage.get()
    assert message.recipient == "rosa@mail.example.com"
    assert "We matched a mentor on Monday." in message.body_text
    assert f"http://portal.test/threads/{thread.id}" in message.body_text
    assert message.state == "queued"


def test_reply_with_htmx_returns_conversation(app, thread, staff):
    office = staff_client(app, staff["induction"])
    response = office.post(f"/threads/{thread.id}/comments", data={"body": "Done."}, headers=HTMX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text.startswith('\n<div id="conversation">') or '<div id="conversation">' in text.split("\n", 3)[1]
    assert "Done." in text
    assert "Reply sent." in text


def test_empty_reply_rejected(app, thread, staff):
    office = staff_client(app, staff["induction"])
    response = office.post(f"/threads/{thread.id}/comments", data={"body": " "})
    assert response.status_code == 422
    assert "Write your message before sending it." in response.get_data(as_text=True)
    assert OutboxMessage.select().count() == 0
    assert Comment.select().count() == 1


def test_other_point_person_cannot_reply(app, thread, staff):
    office = staff_client(app, staff["talent"])
    assert office.post(f"/threads/{thread.id}/comments", data={"body": "Hello"}).status_code == 403
    assert OutboxMessage.select().count() == 0


def test_stakeholder_answers_back(app, client, thread, staff):
    office = staff_client(app, staff["induction"])
    office.post(f"/threads/{thread.id}/comments", data={"body": "Matched."})
    response = client.post(f"/threads/{thread.id}/comments", data={"body": "Thank you!"})
    assert response.status_code == 303
    assert Thread.get_by_id(thread.id).state == "awaiting_reply"
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Matched." in page
    assert "Thank you!" in page


def test_other_stakeholder_cannot_read_thread(app, thread, invite):
    from tests.conftest import Auth

    other = app.test_client()
    _invitation, token = invite(email="someone.else@mail.example.com")
    Auth(other).open_invitation(token)
    assert other.get(f"/threads/{thread.id}").status_code == 403
    assert other.post(f"/threads/{thread.id}/comments", data={"body": "Hi"}).status_code == 403


def test_inbox_lists_only_own_threads(app, thread, staff):
    mine = staff_client(app, staff["induction"]).get("/inbox").get_data(as_text=True)
    assert f"/threads/{thread.id}" in mine
    theirs = staff_client(app, staff["talent"]).get("/inbox").get_data(as_text=True)
    assert f"/threads/{thread.id}" not in theirs
    leader = staff_client(app, staff["leader"]).get("/inbox").get_data(as_text=True)
    assert f"/threads/{thread.id}" in leader


def test_staff_see_author_but_never_student_names(app, client, plan, invite, staff):
    from tests.conftest import Auth

    student = app.test_client()
    _invitation, token = invite(email="kid@school.example.org", group="student", name="Jamie Student")
    Auth(student).open_invitation(token)
    student.post(STRATEGY_COMMENTS, data={"body": "Our teacher left.", "language": "en", "benchmark": ""})
    page = staff_client(app, staff["induction"]).get(f"/threads/{Thread.get().id}").get_data(as_text=True)
    assert "Our teacher left." in page
    assert "Jamie Student" not in page
    assert "Name withheld" in page


def test_pages_use_fixed_query_counts(app, client, parent):
    def queries(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    comment(client, body="First")
    thread_url = f"/threads/{Thread.get().id}"
    strategy_before = queries("/strategies/novice-mentoring")
    overview_before = queries("/")
    thread_before = queries(thread_url)
    for number in range(5):
        comment(client, body=f"Comment {number}")
        client.post(f"{thread_url}/comments", data={"body": f"Answer {number}"})
    assert queries("/strategies/novice-mentoring") == strategy_before
    assert queries("/") == overview_before
    assert queries(thread_url) == thread_before


def test_inbox_query_count_is_fixed(app, client, parent, staff):
    office = staff_client(app, staff["induction"])
    comment(client, body="First", benchmark_id=str(benchmark("mentor-assigned", "3m").id))
    with count_queries() as before:
        office.get("/inbox")
    for number in range(5):
        comment(client, body=f"Comment {number}")
        comment(client, body=f"On a benchmark {number}", benchmark_id=str(benchmark("mentor-assigned", "6m").id))
    with count_queries() as after:
        assert "11 waiting" in office.get("/inbox").get_data(as_text=True)
    assert after.count == before.count


def test_inbox_pages_through_many_threads(app, client, parent, staff):
    from portal.feedback.views import INBOX_PAGE_SIZE

    for number in range(INBOX_PAGE_SIZE + 3):
        comment(client, body=f"Comment {number}")
    office = staff_client(app, staff["induction"])
    first = office.get("/inbox").get_data(as_text=True)
    second = office.get("/inbox?page=2").get_data(as_text=True)
    assert f"{INBOX_PAGE_SIZE + 3} waiting" in first
    assert first.count("Read and reply") == INBOX_PAGE_SIZE
    assert second.count("Read and reply") == 3
    assert "Previous page" in second
    assert office.get("/inbox?page=abc").status_code == 200


def test_rejected_comment_summarised_at_top(client, parent):
    target = benchmark("mentor-assigned", "3m")
    text = comment(client, body=" ", benchmark_id=str(target.id)).get_data(as_text=True)
    assert text.index("Your comment was not sent") < text.index("<h1>")
    assert f'href="#comment-form-{target.id}-body"' in text
    assert "<title>Error:" in text


def test_strategy_page_lists_own_comment_excerpts(client, parent):
    comment(client, body="Our mentor visits once a month.", benchmark_id=str(benchmark("mentor-assigned", "3m").id))
    page = client.get("/strategies/novice-mentoring").get_data(as_text=True)
    target = benchmark("mentor-assigned", "3m")
    assert "Our mentor visits once a month." in page
    assert f"{target.indicator.name}, {target.period.label}</span>" in page


def test_parent_keeps_name_from_staff(app, client, parent, staff):
    from tests.conftest import Auth

    client.post(STRATEGY_COMMENTS, data={"body": "Private, please.", "language": "en", "benchmark": "", "hide_name": "y"})
    office = app.test_client()
    Auth(office).sign_in(staff["induction"])
    page = office.get(f"/threads/{Thread.get().id}").get_data(as_text=True)
    assert "Pat Parent" not in page
    assert "Name withheld" in page
    assert 'checked' in client.get("/strategies/novice-mentoring").get_data(as_text=True)


def test_name_shown_to_staff_by_default(app, client, parent, staff):
    from tests.conftest import Auth

    comment(client)
    office = app.test_client()
    Auth(office).sign_in(staff["induction"])
    assert "Pat Parent" in office.get(f"/threads/{Thread.get().id}").get_data(as_text=True)


def test_scoped_overview_loads_scope_once(app, plan, invite):
    from tests.conftest import Auth

    whole = app.test_client()
    _invitation, token = invite(email="whole@mail.example.com")
    Auth(whole).open_invitation(token)
    scoped = app.test_client()
    _invitation, token = invite(email="scoped@mail.example.com", strategies=["prep-partnerships", "early-hiring"])
    Auth(scoped).open_invitation(token)
    with count_queries() as whole_plan:
        whole.get("/")
    with count_queries() as limited:
        scoped.get("/")
    assert limited.count == whole_plan.count + 1  # one query for the scope, not one per strategy
