"""The monitoring calendar: which check-ins and reflections are due from whom, overdue, or next.

A period calls for check-ins once a district leader opens it or once its window has ended,
and stops when it is closed. Its check-in is due CHECK_IN_DAYS after the window ends. A
check-in that states adjustments are needed calls for a reflection, due REFLECTION_DAYS after
the later of the window's end and the day the check-in was first recorded. The next period
is the first one that does not call for check-ins yet.
"""

import dataclasses
import datetime

from flask import current_app
from peewee import JOIN

from portal.plan.models import CheckIn, LeadingIndicator, MonitoringPeriod, Person, Reflection, Strategy
from portal.plan.status import local_date

OVERDUE = "overdue"
DUE = "due"
NEXT = "next"


@dataclasses.dataclass
class Task:
    kind: str  # "check-in" or "reflection"
    indicator: LeadingIndicator
    period: MonitoringPeriod
    due_on: datetime.date
    state: str  # OVERDUE, DUE or NEXT


@dataclasses.dataclass
class PersonTasks:
    person: Person | None  # None for indicators without a named point person
    tasks: list = dataclasses.field(default_factory=list)

    def of_state(self, state):
        return [task for task in self.tasks if task.state == state]


def calls_for_check_ins(period, today):
    return period.state != "closed" and (period.state == "open" or period.ends_on < today)


def tasks_for(plan, today, person_ids=None):
    """Return (periods, [PersonTasks]) for the plan's indicators, with a fixed number of queries.

    person_ids limits the indicators to those point persons; None means everyone's.
    """
    check_in_days = datetime.timedelta(days=current_app.config["CHECK_IN_DAYS"])
    reflection_days = datetime.timedelta(days=current_app.config["REFLECTION_DAYS"])
    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
    indicators = (
        LeadingIndicator.select(LeadingIndicator, Strategy, Person)
        .join(Strategy)
        .switch(LeadingIndicator)
        .join(Person, JOIN.LEFT_OUTER)
        .where(Strategy.plan == plan)
        .order_by(Strategy.position, LeadingIndicator.position)
    )
    if person_ids is not None:
        indicators = indicators.where(LeadingIndicator.responsible.in_(list(person_ids) or [-1]))
    indicators = list(indicators)
    indicator_ids = [indicator.id for indicator in indicators] or [-1]
    check_ins = {(c.indicator_id, c.period_id): c for c in CheckIn.select().where(CheckIn.indicator.in_(indicator_ids))}
    reflected = {
        (r.indicator_id, r.period_id) for r in Reflection.select().where(Reflection.indicator.in_(indicator_ids))
    }
    next_period = next((period for period in periods if period.state != "closed" and not calls_for_check_ins(period, today)), None)

    by_person = {}
    for indicator in indicators:
        bucket = by_person.setdefault(indicator.responsible_id, PersonTasks(person=indicator.responsible))
        for period in periods:
            key = (indicator.id, period.id)
            check_in = check_ins.get(key)
            if calls_for_check_ins(period, today):
                if check_in is None:
                    due_on = period.ends_on + check_in_days
                    bucket.tasks.append(Task("check-in", indicator, period, due_on, state_on(today, due_on)))
                elif check_in.adjustments_needed and key not in reflected:
                    start = max(period.ends_on, local_date(check_in.recorded_at, plan.time_zone))
                    due_on = start + reflection_days
                    bucket.tasks.append(Task("reflection", indicator, period, due_on, state_on(today, due_on)))
            elif period is next_period and check_in is None:
                bucket.tasks.append(Task("check-in", indicator, period, period.ends_on + check_in_days, NEXT))
    ordered = sorted(by_person.values(), key=lambda group: (group.person is None, group.person.name if group.person else ""))
    return periods, ordered


def state_on(today, due_on):
    return OVERDUE if today > due_on else DUE


def window_phase(period, today):
    """Return where today falls against the period's window: "before", "during" or "after"."""
    if today < period.starts_on:
        return "before"
    if today > period.ends_on:
        return "after"
    return "during"
