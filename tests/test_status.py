"""On track or not: the status of an indicator in a period, and roll-ups."""

import datetime

import pytest

from portal.plan.models import LeadingIndicator, Strategy
from portal.plan.status import NO_DATA, NOT_DUE, OFF_TRACK, ON_TRACK, benchmark_status, progress_for, rolled_up_status

CASES = [
    # direction, benchmark, actual, period over, expected
    ("increase", 80.0, 82.5, True, ON_TRACK),
    ("increase", 80.0, 80.0, True, ON_TRACK),
    ("increase", 80.0, 79.9, True, OFF_TRACK),
    ("increase", 83.0, 82.99999999999, True, ON_TRACK),
    ("decrease", 11.4, 11.9, True, OFF_TRACK),
    ("decrease", 11.4, 11.4, True, ON_TRACK),
    ("decrease", 11.4, 9.0, True, ON_TRACK),
    ("increase", 80.0, None, True, NO_DATA),
    ("increase", 80.0, None, False, NOT_DUE),
    ("decrease", None, 5.0, True, NO_DATA),
    # An actual recorded before the period ends is interim, so the period stays not due.
    ("increase", 80.0, 85.0, False, NOT_DUE),
    ("increase", 80.0, 70.0, False, NOT_DUE),
    ("increase", 0.0, 0.0, True, ON_TRACK),
]


@pytest.mark.parametrize("direction, target, actual, due, expected", CASES)
def test_benchmark_status(direction, target, actual, due, expected):
    assert benchmark_status(direction, target, actual, due) == expected


ROLL_UPS = [
    ([[ON_TRACK, OFF_TRACK, NOT_DUE]], OFF_TRACK),
    ([[OFF_TRACK, ON_TRACK, NOT_DUE]], ON_TRACK),
    ([[ON_TRACK], [OFF_TRACK]], OFF_TRACK),
    ([[ON_TRACK, NO_DATA], [ON_TRACK]], ON_TRACK),
    ([[NO_DATA, NOT_DUE], [NOT_DUE]], NO_DATA),
    ([[NOT_DUE], [NOT_DUE]], NOT_DUE),
    ([], NOT_DUE),
]


@pytest.mark.parametrize("statuses, expected", ROLL_UPS)
def test_rolled_up_status(statuses, expected):
    assert rolled_up_status(statuses) == expected


def cell(progress, indicator_key, period_key):
    for row in progress.rows:
        if row.indicator.key == indicator_key:
            return next(c for c in row.cells if c.period.key == period_key)
    raise KeyError(indicator_key)


def test_sample_plan_progress(plan):
    strategies = list(Strategy.select().where(Strategy.plan == plan))
    progress = progress_for(plan, strategies, today=datetime.date(2026, 12, 4))
    by_key = {s.key: progress[s.id] for s in strategies}

    residency = by_key["residency-pipeline"]
    assert cell(residency, "first-year-share", "1y").status == OFF_TRACK  # decrease: 11.9 above 11.4
    assert cell(residency, "residents-enrolled", "3m").status == OFF_TRACK  # 14 below 15
    assert cell(residency, "residents-enrolled", "6m").benchmark is None
    assert cell(residency, "residents-enrolled", "2y").status == NOT_DUE
    assert residency.status == OFF_TRACK
    assert cell(by_key["early-hiring"], "out-of-field-share", "1y").status == OFF_TRACK
    assert cell(by_key["novice-mentoring"], "mentor-contact-hours", "1y").status == OFF_TRACK
    assert cell(by_key["novice-mentoring"], "mentor-assigned", "1y").status == ON_TRACK


def test_revised_benchmark_in_force(plan):
    strategy = Strategy.get(Strategy.key == "prep-partnerships")
    progress = progress_for(plan, [strategy], today=datetime.date(2027, 8, 1))[strategy.id]
    two_year = cell(progress, "prep-survey-agree", "2y")
    assert two_year.benchmark.target == 90.0
    assert [b.target for b in two_year.replaced] == [91.6]
    assert two_year.status == NO_DATA


def test_progress_query_count_is_fixed(plan):
    from tests.conftest import count_queries

    strategies = list(Strategy.select().where(Strategy.plan == plan))
    with count_queries() as counter:
        progress_for(plan, strategies, today=datetime.date(2026, 12, 4))
    with count_queries() as one:
        progress_for(plan, strategies[:1], today=datetime.date(2026, 12, 4))
    assert counter.count == one.count
    assert LeadingIndicator.select().count() == 12
