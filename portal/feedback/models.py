"""Threads of comments on strategies and benchmarks."""

import peewee as pw

from portal.auth.models import StaffUser
from portal.db import BaseModel, utcnow
from portal.plan.models import Benchmark, MonitoringPeriod, Plan, Reflection, Strategy
from portal.stakeholders.models import Stakeholder, StakeholderGroup

# "withdrawn": the author withdrew every comment before staff answered.
THREAD_STATES = ("awaiting_reply", "answered", "closed", "withdrawn")
OUTCOMES = ("changed", "already_in_place", "not_planned")


class Theme(BaseModel):
    """A theme from the plan's list that staff tag threads with (for example "mentor time")."""

    plan = pw.ForeignKeyField(Plan, backref="themes", on_delete="CASCADE")
    label = pw.CharField(max_length=100)
    position = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("plan", "label"), True),)


class Thread(BaseModel):
    """A conversation a stakeholder started on a strategy or on one of its benchmarks."""

    plan = pw.ForeignKeyField(Plan, on_delete="CASCADE")
    strategy = pw.ForeignKeyField(Strategy, backref="threads", on_delete="CASCADE")
    benchmark = pw.ForeignKeyField(Benchmark, null=True, backref="threads", on_delete="CASCADE")
    # The period whose window contains the first comment, or the benchmark's period.
    period = pw.ForeignKeyField(MonitoringPeriod, null=True, on_delete="SET NULL")
    stakeholder = pw.ForeignKeyField(Stakeholder, backref="threads", on_delete="CASCADE")
    state = pw.CharField(max_length=20, default="awaiting_reply", index=True)
    # ISO 639-1 code of the first comment's language, for filtering the inbox.
    language = pw.CharField(max_length=10, default="")
    assigned_to = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    outcome = pw.CharField(max_length=20, null=True)
    outcome_note = pw.TextField(default="")
    closed_at = pw.DateTimeField(null=True)
    closed_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL", backref="+")
    # The Step 4 reflection whose course correction came of this thread, if any.
    reflection = pw.ForeignKeyField(Reflection, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    last_activity_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("state", "last_activity_at"), False),)

    @classmethod
    def awaiting_reply(cls, person_id=None):
        """Return threads awaiting a staff reply, oldest first; only a person's if person_id is given."""
        return cls.inbox(person_id=person_id, state="awaiting_reply")

    @classmethod
    def inbox(cls, person_id=None, staff_id=None, state=None, overdue_before=None, strategy_id=None,
              period_id=None, group_id=None, language=None):
        """Return threads for an inbox with their strategy, stakeholder and benchmark joined.

        With person_id, only threads that person replies to: those on strategies they are
        responsible for and on benchmarks of indicators they monitor, unless handed to
        someone else, plus threads handed to staff_id. state is a thread state or
        "overdue" (awaiting a reply since before overdue_before). Waiting threads come
        oldest first, others newest first.
        """
        from portal.plan.models import LeadingIndicator

        query = (
            cls.select(cls, Strategy, Stakeholder, StakeholderGroup, Benchmark, LeadingIndicator)
            .join(Strategy)
            .switch(cls)
            .join(Stakeholder)
            .join(StakeholderGroup)
            .switch(cls)
            .join(Benchmark, pw.JOIN.LEFT_OUTER)
            .join(LeadingIndicator, pw.JOIN.LEFT_OUTER)
        )
        if person_id is not None:
            answers = (Strategy.person_responsible == person_id) | (LeadingIndicator.responsible == person_id)
            mine = answers & (cls.assigned_to.is_null() | (cls.assigned_to == staff_id))
            query = query.where(mine | (cls.assigned_to == staff_id) if staff_id else mine)
        if state == "overdue":
            query = query.where((cls.state == "awaiting_reply") & (cls.last_activity_at < overdue_before))
        elif state:
            query = query.where(cls.state == state)
        for column, value in ((cls.strategy, strategy_id), (cls.period, period_id), (Stakeholder.group, group_id), (cls.language, language)):
            if value:
                query = query.where(column == value)
        if state in ("awaiting_reply", "overdue"):
            return query.order_by(cls.last_activity_at, cls.id)
        return query.order_by(cls.last_activity_at.desc(), cls.id.desc())

    @classmethod
    def waiting_counts(cls, overdue_before, person_id=None, staff_id=None):
        """Return (awaiting a reply, overdue among them) in one query without joins.

        The threads are those inbox() would list for the same person_id and staff_id. The
        person's strategies and benchmarks are looked up in subqueries, so the count scans
        only the thread table.
        """
        from portal.plan.models import LeadingIndicator

        query = cls.select(
            pw.fn.COUNT(cls.id),
            pw.fn.SUM(pw.Case(None, [(cls.last_activity_at < overdue_before, 1)], 0)),
        ).where(cls.state == "awaiting_reply")
        if person_id is not None:
            strategy_ids = Strategy.select(Strategy.id).where(Strategy.person_responsible == person_id)
            benchmark_ids = (
                Benchmark.select(Benchmark.id).join(LeadingIndicator).where(LeadingIndicator.responsible == person_id)
            )
            answers = cls.strategy.in_(strategy_ids) | cls.benchmark.in_(benchmark_ids)
            mine = answers & (cls.assigned_to.is_null() | (cls.assigned_to == staff_id))
            query = query.where(mine | (cls.assigned_to == staff_id) if staff_id else mine)
        waiting, overdue = query.tuples().get()
        return waiting, int(overdue or 0)

    def responsible_person_ids(self):
        """Return the ids of the plan people who may reply in this thread."""
        ids = {self.strategy.person_responsible_id}
        if self.benchmark_id is not None:
            ids.add(self.benchmark.indicator.responsible_id)
        ids.discard(None)
        return ids


class Comment(BaseModel):
    """One message in a thread, from the stakeholder or from staff."""

    thread = pw.ForeignKeyField(Thread, backref="comments", on_delete="CASCADE")
    stakeholder = pw.ForeignKeyField(Stakeholder, null=True, on_delete="CASCADE")
    staff = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    body = pw.TextField()
    # ISO 639-1 code of the language the author wrote in.
    language = pw.CharField(max_length=10, default="en")
    # Staff notes that stakeholders never see.
    internal = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)
    edited_at = pw.DateTimeField(null=True)
    withdrawn_at = pw.DateTimeField(null=True)
    hidden_at = pw.DateTimeField(null=True)
    hidden_reason = pw.TextField(default="")
    hidden_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL", backref="+")
    # The stakeholder's rating of a staff reply: True helpful, False not, None not rated.
    helpful = pw.BooleanField(null=True)
    rated_at = pw.DateTimeField(null=True)

    @property
    def from_staff(self):
        return self.staff_id is not None

    @classmethod
    def visible_in(cls, thread, include_internal):
        """Return the thread's comments in order, without staff notes unless asked."""
        query = (
            cls.select(cls, Stakeholder, StakeholderGroup, StaffUser)
            .join(Stakeholder, pw.JOIN.LEFT_OUTER)
            .join(StakeholderGroup, pw.JOIN.LEFT_OUTER)
            .switch(cls)
            .join(StaffUser, pw.JOIN.LEFT_OUTER, on=(cls.staff == StaffUser.id))
            .where(cls.thread == thread)
            .order_by(cls.created_at, cls.id)
        )
        if not include_internal:
            query = query.where(cls.internal == False)  # noqa: E712
        return query


class ThreadTheme(BaseModel):
    """A theme tagged on a thread."""

    thread = pw.ForeignKeyField(Thread, backref="theme_links", on_delete="CASCADE")
    theme = pw.ForeignKeyField(Theme, backref="thread_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("thread", "theme"), True),)


PULSE_ANSWERS = ("yes", "somewhat", "no", "not_sure")


class PulseAnswer(BaseModel):
    """A stakeholder's one-tap answer to "Is this working at your school?" on a benchmark.

    Each stakeholder has one answer per benchmark and may change it. The period and the
    stakeholder's group and school are copied in, so summaries count without joins and keep
    their figures if the stakeholder later moves.
    """

    benchmark = pw.ForeignKeyField(Benchmark, backref="pulse_answers", on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, on_delete="CASCADE")
    stakeholder = pw.ForeignKeyField(Stakeholder, backref="pulse_answers", on_delete="CASCADE")
    group = pw.ForeignKeyField(StakeholderGroup, on_delete="CASCADE")
    school = pw.CharField(max_length=200, default="")
    answer = pw.CharField(max_length=20)
    answered_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("benchmark", "stakeholder"), True),)


MODELS = [Theme, Thread, Comment, ThreadTheme, PulseAnswer]

