"""`portal send-digests`: daily digests for point persons and weekly summaries for leaders.

The sample plan's district is in America/New_York. Unless a test sets them, the response
commitment is 5 school days with no holidays and the weekly summary goes out on Monday.
"""

import datetime
import html
import logging

import pytest

from portal.auth.models import StaffUser
from portal.db import database
from portal.feedback import digests
from portal.feedback.models import Thread
from portal.feedback.operations import start_thread
from portal.mail.models import DigestLog, OutboxMessage
from portal.plan.models import Benchmark, LeadingIndicator, Person, Strategy
from tests.conftest import count_queries, make_staff

# Runs, as UTC ISO datetimes, and what they are in New York.
MONDAY = "2026-12-14T14:00:00Z"  # Monday 09:00
MONDAY_NIGHT = "2026-12-15T03:00:00Z"  # Monday 22:00, already Tuesday in UTC
TUESDAY = "2026-12-15T14:00:00Z"  # Tuesday 09:00
TUESDAY_NIGHT = "2026-12-16T03:00:00Z"  # Tuesday 22:00, already Wednesday in UTC
WEDNESDAY = "2026-12-16T14:00:00Z"  # Wednesday 09:00

# When the stakeholder commented (naive UTC), and the reply's due date with no holidays.
FRIDAY_BEFORE = datetime.datetime(2026, 12, 4, 15, 0)  # due Friday Dec 11: overdue on Monday
MONDAY_BEFORE = datetime.datetime(2026, 12, 7, 15, 0)  # due Monday Dec 14: not overdue on Monday
THURSDAY_BEFORE = datetime.datetime(2026, 12, 10, 15, 0)  # due Thursday Dec 17

NOVICE = "novice-mentoring"  # point person: staff["induction"]
PREP = "prep-partnerships"  # point person: staff["talent"]
RESIDENCY = "residency-pipeline"  # person responsible: chief-talent, who has no staff account


def send_digests(runner, now):
    """Run `portal send-digests --now NOW`, then reopen the test's connection if the command closed it."""
    result = runner.invoke(args=["portal", "send-digests", "--now", now])
    database.connect(reuse_if_open=True)
    return result


def report(result):
    return f"{result.output}{result.exception!r}"


def strategy(plan, key):
    return Strategy.get((Strategy.plan == plan) & (Strategy.key == key))


def start(plan, stakeholder, key, received, benchmark=None):
    """Start a thread on a strategy (or one of its benchmarks) and date its last activity at received."""
    thread = start_thread(stakeholder, strategy(plan, key), benchmark, "When are mentors assigned?", "en")
    Thread.update(last_activity_at=received).where(Thread.id == thread.id).execute()
    return thread


def url(thread):
    return f"http://portal.test/threads/{thread.id}"


def queued(kind):
    """Return {recipient: OutboxMessage} of the queued messages of a kind."""
    return {message.recipient: message for message in OutboxMessage.select().where(OutboxMessage.kind == kind)}


def daily():
    return queued("daily-digest")


def weekly():
    return queued("weekly-summary")


def person_name(plan, key):
    return Person.get((Person.plan == plan) & (Person.key == key)).name


@pytest.fixture
def parent(invite):
    invitation, _token = invite(email="parent@mail.example.com", group="parent")
    return invitation.stakeholder


@pytest.fixture
def teacher(invite):
    invitation, _token = invite(email="teacher@mail.example.com", group="teacher", name="Terry Teacher")
    return invitation.stakeholder


# Daily digests


def test_daily_own_threads(app, runner, plan, staff, parent, teacher):
    novice = start(plan, parent, NOVICE, THURSDAY_BEFORE)
    prep = start(plan, teacher, PREP, THURSDAY_BEFORE)

    result = send_digests(runner, TUESDAY)

    messages = daily()
    induction = messages[staff["induction"].email]
    talent = messages[staff["talent"].email]
    assert result.exit_code == 0, report(result)
    assert sorted(messages) == sorted([staff["induction"].email, staff["talent"].email])
    assert url(novice) in induction.body_text
    assert url(prep) not in induction.body_text
    assert url(prep) in talent.body_text
    assert url(novice) not in talent.body_text


def test_daily_matches_awaiting_reply(app, runner, plan, staff, parent):
    research = make_staff("research@district.example.org", "point-person", Person.get(Person.key == "research-manager"))
    benchmark = (
        Benchmark.select().join(LeadingIndicator).where(LeadingIndicator.key == "prep-survey-agree").first()
    )
    on_benchmark = start(plan, parent, PREP, THURSDAY_BEFORE, benchmark)
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    start(plan, parent, PREP, THURSDAY_BEFORE)

    send_digests(runner, TUESDAY)

    messages = daily()
    for user in (staff["induction"], staff["talent"], research):
        expected = {url(thread) for thread in Thread.awaiting_reply(user.person_id)}
        listed = {line for line in messages[user.email].body_text.splitlines() if line.startswith("http://portal.test/threads/")}
        assert listed == expected, user.email
    assert url(on_benchmark) in messages[research.email].body_text
    assert url(on_benchmark) in messages[staff["talent"].email].body_text
    assert '(benchmark of "Novices in top-quartile-poverty schools who agree they felt prepared")' in messages[research.email].body_text


def test_daily_content(app, runner, plan, staff, parent):
    thread = start(plan, parent, NOVICE, THURSDAY_BEFORE)

    send_digests(runner, TUESDAY)

    message = daily()[staff["induction"].email]
    name = strategy(plan, NOVICE).name
    assert message.subject == "1 comment awaits your reply"
    assert name in message.body_text
    assert "From: Parent or guardian. Waiting 5 days; due Thu, Dec 17, 2026." in message.body_text
    assert url(thread) in message.body_text
    assert "OVERDUE" not in message.body_text
    assert html.escape(name) in message.body_html
    assert f'href="{url(thread)}"' in message.body_html
    assert message.created_by_id is None


def test_overdue_after_weekend(app, runner, plan, staff, parent):
    overdue = start(plan, parent, NOVICE, FRIDAY_BEFORE)
    due_today = start(plan, parent, NOVICE, MONDAY_BEFORE)

    send_digests(runner, MONDAY)

    text = daily()[staff["induction"].email].body_text
    assert daily()[staff["induction"].email].subject == "2 comments await your reply (1 overdue)"
    assert text.count("OVERDUE: ") == 1
    assert "Waiting 10 days; was due Fri, Dec 11, 2026." in text
    assert "Waiting 7 days; due Mon, Dec 14, 2026." in text
    assert text.index("OVERDUE: ") < text.index(url(overdue)) < text.index(url(due_today))
    assert "Overdue:" in daily()[staff["induction"].email].body_html


def test_holiday_delays_overdue(app, runner, plan, staff, parent):
    app.config["HOLIDAYS"] = ["2026-12-10"]
    start(plan, parent, NOVICE, FRIDAY_BEFORE)
    start(plan, parent, NOVICE, MONDAY_BEFORE)

    send_digests(runner, MONDAY)

    message = daily()[staff["induction"].email]
    assert message.subject == "2 comments await your reply"
    assert "OVERDUE" not in message.body_text
    assert "Waiting 10 days; due Mon, Dec 14, 2026." in message.body_text
    assert "Waiting 7 days; due Tue, Dec 15, 2026." in message.body_text


def test_overdue_the_day_after_due(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, MONDAY_BEFORE)

    send_digests(runner, TUESDAY)

    assert daily()[staff["induction"].email].subject == "1 comment awaits your reply (1 overdue)"


def test_nobody_waiting_no_email(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)

    result = send_digests(runner, TUESDAY)

    assert list(daily()) == [staff["induction"].email]
    assert "Queued 1 daily digest and 0 weekly summaries" in result.output


def test_no_threads_no_email(app, runner, plan, staff):
    result = send_digests(runner, TUESDAY)

    assert result.exit_code == 0, report(result)
    assert OutboxMessage.select().count() == 0
    assert "Queued 0 daily digests and 0 weekly summaries; skipped 0 recipients" in result.output


def test_answered_thread_not_listed(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    answered = start(plan, parent, PREP, THURSDAY_BEFORE)
    Thread.update(state="answered").where(Thread.id == answered.id).execute()

    send_digests(runner, TUESDAY)

    assert staff["talent"].email not in daily()


# Running twice


def test_second_run_queues_nothing(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    start(plan, parent, PREP, THURSDAY_BEFORE)
    first = send_digests(runner, TUESDAY)

    second = send_digests(runner, TUESDAY)

    assert "Queued 2 daily digests" in first.output
    assert second.exit_code == 0, report(second)
    assert "Queued 0 daily digests and 0 weekly summaries; skipped 2 recipients already sent today's email." in second.output
    assert OutboxMessage.select().count() == 2


def test_same_local_day_after_utc_midnight(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    send_digests(runner, TUESDAY)

    late = send_digests(runner, TUESDAY_NIGHT)

    assert "skipped 1 recipient already" in late.output
    assert OutboxMessage.select().count() == 1
    assert DigestLog.get().day == datetime.date(2026, 12, 15)


def test_next_day_sends_again(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    send_digests(runner, TUESDAY)

    next_day = send_digests(runner, WEDNESDAY)

    assert "Queued 1 daily digest and 0 weekly summaries; skipped 0 recipients" in next_day.output
    assert OutboxMessage.select().where(OutboxMessage.recipient == staff["induction"].email).count() == 2


def test_race_counts_as_sent(app, runner, plan, staff, parent, monkeypatch):
    """Another run logs the digest between this run's check and its insert."""
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    render_daily = digests.render_daily

    def render_while_other_run_sends(threads, context):
        DigestLog.create(kind="daily", recipient=staff["induction"].email, day=datetime.date(2026, 12, 15))
        return render_daily(threads, context)

    monkeypatch.setattr(digests, "render_daily", render_while_other_run_sends)

    result = send_digests(runner, TUESDAY)

    assert result.exit_code == 0, report(result)
    assert "Queued 0 daily digests and 0 weekly summaries; skipped 1 recipient" in result.output
    assert OutboxMessage.select().count() == 0
    assert DigestLog.select().count() == 1


# Weekly summaries


def test_weekly_only_to_leaders(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)

    result = send_digests(runner, MONDAY)

    assert result.exit_code == 0, report(result)
    assert list(weekly()) == [staff["leader"].email]
    assert "Queued 1 daily digest and 1 weekly summary" in result.output


def test_weekly_not_other_days(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)

    result = send_digests(runner, TUESDAY)

    assert weekly() == {}
    assert "0 weekly summaries" in result.output


def test_weekly_configured_weekday(app, runner, plan, staff):
    app.config["WEEKLY_SUMMARY_WEEKDAY"] = 1

    monday = send_digests(runner, MONDAY)
    tuesday = send_digests(runner, TUESDAY)

    assert "0 weekly summaries" in monday.output
    assert "1 weekly summary" in tuesday.output
    assert list(weekly()) == [staff["leader"].email]


def test_weekly_uses_local_weekday(app, runner, plan, staff):
    result = send_digests(runner, MONDAY_NIGHT)

    assert "1 weekly summary" in result.output
    assert DigestLog.get().day == datetime.date(2026, 12, 14)


def test_weekly_sent_once(app, runner, plan, staff):
    send_digests(runner, MONDAY)

    second = send_digests(runner, MONDAY)

    assert "Queued 0 daily digests and 0 weekly summaries; skipped 1 recipient" in second.output
    assert len(weekly()) == 1


def test_weekly_counts(app, runner, plan, staff, parent, teacher):
    overdue = start(plan, parent, NOVICE, FRIDAY_BEFORE)
    start(plan, teacher, NOVICE, MONDAY_BEFORE)
    answered = start(plan, parent, PREP, MONDAY_BEFORE)
    closed = start(plan, teacher, PREP, MONDAY_BEFORE)
    Thread.update(state="answered").where(Thread.id == answered.id).execute()
    Thread.update(state="closed").where(Thread.id == closed.id).execute()

    send_digests(runner, MONDAY)

    message = weekly()[staff["leader"].email]
    text = message.body_text
    assert message.subject == "Weekly summary: 2 awaiting reply, 1 overdue"
    assert "Threads now: 2 awaiting reply (1 overdue), 1 answered, 1 closed." in text
    assert f"- {strategy(plan, NOVICE).name}: 2 / 1 / 0 / 0" in text
    assert f"- {strategy(plan, PREP).name}: 0 / 0 / 1 / 1" in text
    assert f"- {strategy(plan, RESIDENCY).name}: 0 / 0 / 0 / 0" in text
    assert url(overdue) in text
    assert f"Point person: {person_name(plan, 'induction-director')}\n" in text
    assert text.count("http://portal.test/threads/") == 1
    assert f'href="{url(overdue)}"' in message.body_html


def test_weekly_without_overdue(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, MONDAY_BEFORE)

    send_digests(runner, MONDAY)

    assert "No thread is overdue." in weekly()[staff["leader"].email].body_text


def test_weekly_names_person_without_account(app, runner, plan, staff, parent):
    start(plan, parent, RESIDENCY, FRIDAY_BEFORE)

    send_digests(runner, MONDAY)

    text = weekly()[staff["leader"].email].body_text
    assert f"Point person: {person_name(plan, 'chief-talent')} (no active point-person account)" in text


# Who gets nothing


def test_inactive_staff_get_nothing(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    start(plan, parent, PREP, THURSDAY_BEFORE)
    StaffUser.update(active=False).where(StaffUser.id.in_([staff["induction"].id, staff["leader"].id])).execute()

    result = send_digests(runner, MONDAY)

    recipients = {message.recipient for message in OutboxMessage.select()}
    assert result.exit_code == 0, report(result)
    assert staff["induction"].email not in recipients
    assert staff["leader"].email not in recipients
    assert staff["talent"].email in recipients


def test_unlinked_point_person_gets_nothing(app, runner, plan, staff, parent):
    unlinked = make_staff("unlinked@district.example.org", "point-person")
    start(plan, parent, NOVICE, THURSDAY_BEFORE)

    send_digests(runner, MONDAY)

    assert OutboxMessage.select().where(OutboxMessage.recipient == unlinked.email).count() == 0


def test_admin_gets_nothing(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, FRIDAY_BEFORE)

    send_digests(runner, MONDAY)

    assert OutboxMessage.select().where(OutboxMessage.recipient == staff["admin"].email).count() == 0


# Queries, logging, options


def start_mixed(plan, stakeholders, count):
    """Start count threads, cycling through an overdue one, a waiting one and one on a benchmark."""
    benchmark = Benchmark.select().join(LeadingIndicator).where(LeadingIndicator.key == "mentor-assigned").first()
    cases = [(NOVICE, FRIDAY_BEFORE, None), (PREP, MONDAY_BEFORE, None), (NOVICE, THURSDAY_BEFORE, benchmark)]
    for index in range(count):
        key, received, on_benchmark = cases[index % len(cases)]
        start(plan, stakeholders[index % len(stakeholders)], key, received, on_benchmark)


def test_queries_independent_of_threads(app, runner, plan, staff, parent, teacher):
    start_mixed(plan, [parent, teacher], 3)
    with count_queries() as few:
        send_digests(runner, MONDAY)
    DigestLog.delete().execute()
    OutboxMessage.delete().execute()
    start_mixed(plan, [parent, teacher], 27)

    with count_queries() as many:
        send_digests(runner, MONDAY)

    assert Thread.select().count() == 30
    assert len(daily()) == 2
    assert len(weekly()) == 1
    assert many.count == few.count, "\n".join(many.statements)


def test_log_names_staff_id(app, runner, plan, staff, parent):
    start(plan, parent, NOVICE, THURSDAY_BEFORE)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("portal.feedback.digests")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)  # pytest's logging plugin may leave the root at WARNING
    try:
        send_digests(runner, TUESDAY)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)

    messages = [record.getMessage() for record in records if record.levelno == logging.INFO]
    assert messages == [f"Queued the daily digest for staff user {staff['induction'].id} (threads waiting: 1)"]


def test_invalid_now(app, runner, plan, staff):
    result = send_digests(runner, "next Monday")

    assert result.exit_code == 2
    assert "'next Monday' is not an ISO datetime" in result.output


def test_now_with_offset(app, runner, plan, staff):
    result = send_digests(runner, "2026-12-14T22:00:00-05:00")  # Monday 22:00 in New York

    assert "1 weekly summary" in result.output


def test_invalid_weekday_setting(app, runner, plan, staff):
    app.config["WEEKLY_SUMMARY_WEEKDAY"] = 7

    result = send_digests(runner, MONDAY)

    assert result.exit_code == 1
    assert "WEEKLY_SUMMARY_WEEKDAY is 7" in result.output


# Delivery


def test_send_mail_delivers_digests(app, runner, plan, staff, parent, smtp_server):
    start(plan, parent, NOVICE, FRIDAY_BEFORE)
    start(plan, parent, PREP, MONDAY_BEFORE)
    send_digests(runner, MONDAY)

    result = runner.invoke(args=["portal", "send-mail"])
    database.connect(reuse_if_open=True)

    recipients = sorted(recipient for envelope in smtp_server.messages for recipient in envelope.rcpt_tos)
    assert result.exit_code == 0, report(result)
    assert "Sent 3" in result.output
    assert recipients == sorted([staff["induction"].email, staff["talent"].email, staff["leader"].email])
    assert OutboxMessage.select().where(OutboxMessage.state == "sent").count() == 3
