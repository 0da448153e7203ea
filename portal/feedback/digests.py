"""The daily digest for point persons and the weekly summary for district leaders.

Both are queued in the outbox (`portal send-mail` delivers them) and written in English,
like the staff pages. A DigestLog row per (kind, recipient, local day), inserted in the
transaction that queues the message, keeps a second run on the same day from sending again.
"""

import dataclasses
import datetime
import logging

import peewee as pw
from flask import current_app

from portal.auth.models import StaffUser
from portal.db import transaction
from portal.feedback.deadlines import commitment, local_date, overdue_before, reply_due_on
from portal.feedback.models import Thread
from portal.mail.models import DigestLog
from portal.mail.operations import queue_message
from portal.plan.models import Person, Strategy

logger = logging.getLogger(__name__)

DAILY = "daily"
WEEKLY = "weekly"
# OutboxMessage.kind of each digest, which the send-mail log line names.
MESSAGE_KINDS = {DAILY: "daily-digest", WEEKLY: "weekly-summary"}


@dataclasses.dataclass
class DigestCounts:
    """Counts of one run: digests queued, and recipients skipped because they already had today's."""

    daily: int = 0
    weekly: int = 0
    skipped: int = 0


@dataclasses.dataclass
class WaitingThread:
    """A thread awaiting a reply, with the due date and waiting time that digests show."""

    thread: Thread
    overdue: bool
    due_on: datetime.date
    days_waiting: int
    url: str

    @property
    def strategy_name(self):
        return self.thread.strategy.name

    @property
    def indicator_name(self):
        """Return the name of the indicator whose benchmark the thread is on, or None."""
        if self.thread.benchmark_id is None:
            return None
        return self.thread.benchmark.indicator.name

    @property
    def group_label(self):
        return self.thread.stakeholder.group.label

    @property
    def waited(self):
        if self.days_waiting <= 0:
            return "since today"
        if self.days_waiting == 1:
            return "1 day"
        return f"{self.days_waiting} days"

    @property
    def due(self):
        return format_day(self.due_on)


@dataclasses.dataclass
class StrategyCounts:
    """One row of the weekly summary: a strategy's threads by state."""

    name: str
    awaiting: int = 0
    overdue: int = 0
    answered: int = 0
    closed: int = 0


def format_day(day):
    """Return a date as "Fri, Dec 11, 2026"."""
    return f"{day:%a, %b} {day.day}, {day.year}"


def plural(count, singular, plural_form):
    return f"{count} {singular if count == 1 else plural_form}"


def summary_weekday():
    """Return WEEKLY_SUMMARY_WEEKDAY, or raise ValueError unless it is a whole number from 0 to 6."""
    weekday = current_app.config["WEEKLY_SUMMARY_WEEKDAY"]
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValueError(f"WEEKLY_SUMMARY_WEEKDAY is {weekday!r}, which is invalid. Set a whole number from 0 (Monday) to 6 (Sunday).")
    return weekday


def send_digests(plan, now):
    """Queue today's daily digests and, on the summary weekday, the weekly summaries. Return DigestCounts.

    now is a naive UTC datetime. "Today" and every date in the emails are in the plan's
    time zone. The run makes the same number of queries however many threads are waiting,
    plus one transaction per queued message.

    NOTE: the threads are those awaiting a reply when the command runs. With a past now
    (a backfill), threads that started after now are listed and threads answered since are not.
    """
    time_zone = plan.time_zone
    today = local_date(now, time_zone)
    weekday = summary_weekday()
    school_days, holidays = commitment()

    already_sent = {
        (row.kind, row.recipient) for row in DigestLog.select().where(DigestLog.day == today)
    }
    staff = list(
        StaffUser.select()
        .where((StaffUser.active == True) & StaffUser.role.in_(["point-person", "leader"]))  # noqa: E712
        .order_by(StaffUser.id)
    )
    waiting = load_waiting(now, time_zone, school_days, holidays)

    context = {
        "district": plan.lea_name,
        "today": format_day(today),
        "school_days": school_days,
        "inbox_url": f"{current_app.config['BASE_URL']}/inbox",
    }
    counts = DigestCounts()

    point_persons = [user for user in staff if user.role == "point-person" and user.person_id is not None]
    by_person = threads_by_person(waiting)
    for user in point_persons:
        threads = by_person.get(user.person_id, [])
        if not threads:
            continue
        if (DAILY, user.email) in already_sent:
            counts.skipped += 1
            continue
        subject, body_text, body_html = render_daily(threads, context)
        if queue_digest(DAILY, user, today, subject, body_text, body_html):
            counts.daily += 1
            logger.info("Queued the daily digest for staff user %s (threads waiting: %s)", user.id, len(threads))
        else:
            counts.skipped += 1

    leaders = [user for user in staff if user.role == "leader"]
    if today.weekday() != weekday or not leaders:
        return counts
    summary = None
    for user in leaders:
        if (WEEKLY, user.email) in already_sent:
            counts.skipped += 1
            continue
        if summary is None:
            summary = render_weekly(plan, waiting, staff, context)
        if queue_digest(WEEKLY, user, today, *summary):
            counts.weekly += 1
            logger.info("Queued the weekly summary for staff user %s", user.id)
        else:
            counts.skipped += 1
    return counts


def load_waiting(now, time_zone, school_days, holidays):
    """Return a WaitingThread for every thread awaiting a reply, oldest first, in one query."""
    today = local_date(now, time_zone)
    cutoff = overdue_before(now, time_zone, school_days, holidays)
    waiting = []
    for thread in Thread.awaiting_reply():
        waiting.append(
            WaitingThread(
                thread=thread,
                overdue=thread.last_activity_at < cutoff,
                due_on=reply_due_on(thread.last_activity_at, time_zone, school_days, holidays),
                days_waiting=(today - local_date(thread.last_activity_at, time_zone)).days,
                url=f"{current_app.config['BASE_URL']}/threads/{thread.id}",
            )
        )
    return waiting


def threads_by_person(waiting):
    """Return {person id: [WaitingThread, ...]}, overdue threads first, each group oldest first.

    A thread goes to every person who may reply in it: the strategy's person responsible
    and, on a benchmark, the indicator's. Thread.awaiting_reply(person_id) selects the same
    threads per person.
    """
    by_person = {}
    # sorted() is stable, so each group stays oldest first.
    for item in sorted(waiting, key=lambda item: not item.overdue):
        for person_id in item.thread.responsible_person_ids():
            by_person.setdefault(person_id, []).append(item)
    return by_person


def queue_digest(kind, user, today, subject, body_text, body_html):
    """Log the digest in DigestLog and queue it in one transaction. Return False if it was already sent.

    The pre-check in send_digests misses a run that started at the same time, so the unique
    (kind, recipient, day) index decides, and its IntegrityError means that run sent it.
    """
    try:
        with transaction():
            DigestLog.create(kind=kind, recipient=user.email, day=today)
            queue_message(user.email, subject, body_text, body_html, kind=MESSAGE_KINDS[kind])
    except pw.IntegrityError:
        logger.info("Skipped the %s digest for staff user %s: another run sent it today", kind, user.id)
        return False
    return True


def render(template_name, context):
    """Render a mail template.

    Flask's render_template would run the page context processors, which need a request
    (portal.web reads current_user and the CSRF token), and a command has none.
    """
    return current_app.jinja_env.get_template(template_name).render(context)


def render_daily(threads, context):
    """Return (subject, text, HTML) of a point person's daily digest."""
    overdue = [item for item in threads if item.overdue]
    subject = plural(len(threads), "comment awaits your reply", "comments await your reply")
    if overdue:
        subject += f" ({len(overdue)} overdue)"
    values = {**context, "threads": threads}
    return subject, render("mail/daily_digest.txt", values), render("mail/daily_digest.html", values)


def render_weekly(plan, waiting, staff, context):
    """Return (subject, text, HTML) of the weekly summary of the plan's threads."""
    rows = {
        strategy.id: StrategyCounts(strategy.name)
        for strategy in Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position, Strategy.id)
    }
    state_counts = (
        Thread.select(Thread.strategy, Thread.state, pw.fn.COUNT(Thread.id))
        .where((Thread.plan == plan) & Thread.state.in_(["answered", "closed"]))
        .group_by(Thread.strategy, Thread.state)
        .tuples()
    )
    for strategy_id, state, count in state_counts:
        if strategy_id in rows:
            setattr(rows[strategy_id], state, count)

    plan_waiting = [item for item in waiting if item.thread.plan_id == plan.id]
    for item in plan_waiting:
        row = rows.get(item.thread.strategy_id)
        if row is not None:
            row.awaiting += 1
            row.overdue += item.overdue

    people = {person.id: person.name for person in Person.select().where(Person.plan == plan)}
    with_account = {user.person_id for user in staff if user.role == "point-person"}
    overdue = [
        (item, point_person_names(item.thread, people, with_account)) for item in plan_waiting if item.overdue
    ]

    totals = StrategyCounts("All strategies")
    for row in rows.values():
        totals.awaiting += row.awaiting
        totals.overdue += row.overdue
        totals.answered += row.answered
        totals.closed += row.closed

    subject = f"Weekly summary: {totals.awaiting} awaiting reply, {totals.overdue} overdue"
    values = {**context, "rows": list(rows.values()), "totals": totals, "overdue": overdue}
    return subject, render("mail/weekly_summary.txt", values), render("mail/weekly_summary.html", values)


def point_person_names(thread, people, with_account):
    """Return the names of the plan people who may reply in a thread, marking those no active point person is linked to."""
    names = []
    for person_id in sorted(thread.responsible_person_ids()):
        name = people.get(person_id, f"person {person_id}")
        if person_id not in with_account:
            name += " (no active point-person account)"
        names.append(name)
    return ", ".join(names) or "nobody in the plan"
