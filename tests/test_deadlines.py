"""The response-time rule across weekends, holidays and time zones."""

import datetime

import pytest

from portal.feedback.deadlines import add_school_days, is_overdue, overdue_before, parse_holidays, reply_due_on

THANKSGIVING = parse_holidays(["2026-11-26", "2026-11-27"])
NONE = frozenset()


def utc(text):
    return datetime.datetime.fromisoformat(text)


DUE_CASES = [
    # received (UTC), time zone, holidays, due (local date)
    ("2026-12-01T15:00", "America/New_York", NONE, "2026-12-08"),  # Tuesday -> next Tuesday
    ("2026-12-04T15:00", "America/New_York", NONE, "2026-12-11"),  # Friday -> next Friday
    ("2026-12-05T15:00", "America/New_York", NONE, "2026-12-11"),  # Saturday -> Friday
    ("2026-12-06T15:00", "America/New_York", NONE, "2026-12-11"),  # Sunday -> Friday
    ("2026-11-23T15:00", "America/New_York", THANKSGIVING, "2026-12-02"),  # Monday, two holidays skipped
    ("2026-11-25T15:00", "America/New_York", THANKSGIVING, "2026-12-04"),  # Wednesday before Thanksgiving
    # 03:30 UTC Saturday is still Friday evening in Chicago and Los Angeles
    ("2026-12-05T03:30", "America/Chicago", NONE, "2026-12-11"),
    ("2026-12-05T03:30", "America/Los_Angeles", NONE, "2026-12-11"),
    ("2026-12-05T03:30", "Europe/London", NONE, "2026-12-11"),  # Saturday in London, same due day
    ("2026-12-08T04:30", "America/New_York", NONE, "2026-12-14"),  # Monday 23:30 in New York
    ("2026-12-08T04:30", "Europe/London", NONE, "2026-12-15"),  # Tuesday in London
    ("2026-03-06T18:00", "America/New_York", NONE, "2026-03-13"),  # across the change to summer time
]


@pytest.mark.parametrize("received, zone, holidays, due", DUE_CASES)
def test_reply_due_on(received, zone, holidays, due):
    assert reply_due_on(utc(received), zone, 5, holidays) == datetime.date.fromisoformat(due)


OVERDUE_CASES = [
    # received (UTC), now (UTC), time zone, holidays, overdue
    ("2026-12-04T15:00", "2026-12-11T23:00", "America/New_York", NONE, False),  # due day, evening
    ("2026-12-04T15:00", "2026-12-12T04:59", "America/New_York", NONE, False),  # 23:59 on the due day
    ("2026-12-04T15:00", "2026-12-12T05:00", "America/New_York", NONE, True),  # midnight after it
    ("2026-11-25T15:00", "2026-12-03T15:00", "America/New_York", THANKSGIVING, False),
    ("2026-11-25T15:00", "2026-12-05T15:00", "America/New_York", THANKSGIVING, True),
    ("2026-11-25T15:00", "2026-12-03T15:00", "America/New_York", NONE, True),  # no holidays: due Dec 2
]


@pytest.mark.parametrize("received, now, zone, holidays, overdue", OVERDUE_CASES)
def test_is_overdue(received, now, zone, holidays, overdue):
    assert is_overdue(utc(received), utc(now), zone, 5, holidays) is overdue


@pytest.mark.parametrize("received, now, zone, holidays, overdue", OVERDUE_CASES)
def test_overdue_before_agrees(received, now, zone, holidays, overdue):
    cutoff = overdue_before(utc(now), zone, 5, holidays)
    assert (utc(received) < cutoff) is overdue


def test_overdue_before_every_hour_of_a_fortnight():
    now = utc("2026-12-09T14:00")
    cutoff = overdue_before(now, "America/Chicago", 5, THANKSGIVING)
    received = utc("2026-11-20T00:00")
    while received < now:
        expected = is_overdue(received, now, "America/Chicago", 5, THANKSGIVING)
        assert (received < cutoff) is expected, received
        received += datetime.timedelta(hours=1)


def test_add_school_days_skips_weekend():
    assert add_school_days(datetime.date(2026, 12, 4), 1, NONE) == datetime.date(2026, 12, 7)


def test_bad_holiday_rejected():
    with pytest.raises(ValueError, match="'2026-13-01'"):
        parse_holidays(["2026-12-25", "2026-13-01"])


def test_bad_holiday_config_stops_start(tmp_path):
    from portal import create_app

    with pytest.raises(ValueError, match="not a date written YYYY-MM-DD"):
        create_app({"ENVIRONMENT": "testing", "HOLIDAYS": ["Dec 25"], "SQLITE_FILENAME": str(tmp_path / "x.db")})


def test_bad_response_days_stops_start(tmp_path):
    from portal import create_app

    with pytest.raises(RuntimeError, match="RESPONSE_SCHOOL_DAYS"):
        create_app({"ENVIRONMENT": "testing", "RESPONSE_SCHOOL_DAYS": 0, "SQLITE_FILENAME": str(tmp_path / "x.db")})
