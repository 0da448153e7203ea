"""The response-time commitment: a reply is due within a number of school days.

School days are weekdays that are not district holidays, counted in the district's time
zone. A comment received on a given local day is due by the end of the Nth school day
after it. With a five-day commitment, a comment on Friday is due by the end of the next
Friday, and so is one on Saturday.
"""

import datetime
import zoneinfo

from flask import current_app

# The search for the overdue cutoff looks back at most this many calendar days. That covers
# the largest allowed commitment, 40 school days, with a month of holidays on top.
MAX_LOOKBACK_DAYS = 120


def parse_holidays(values):
    """Return the configured holidays as dates; raise ValueError naming a bad entry."""
    holidays = set()
    for value in values:
        try:
            holidays.add(datetime.date.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"HOLIDAYS contains {value!r}, which is not a date written YYYY-MM-DD") from None
    return frozenset(holidays)


def is_school_day(day, holidays):
    return day.weekday() < 5 and day not in holidays


def add_school_days(day, count, holidays):
    """Return the date count school days after day (day itself not counted)."""
    current = day
    remaining = count
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_school_day(current, holidays):
            remaining -= 1
    return current


def local_date(moment, time_zone):
    """Return the date in the time zone of a naive UTC datetime."""
    return moment.replace(tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def reply_due_on(received_at, time_zone, school_days, holidays):
    """Return the local date by whose end a reply to a comment received at received_at is due."""
    return add_school_days(local_date(received_at, time_zone), school_days, holidays)


def is_overdue(received_at, now, time_zone, school_days, holidays):
    """Return True when the reply's due date has passed in the district's time zone."""
    return reply_due_on(received_at, time_zone, school_days, holidays) < local_date(now, time_zone)


def overdue_before(now, time_zone, school_days, holidays):
    """Return the naive UTC moment before which a waiting comment is overdue at now.

    Due dates never move backwards as the received day moves forwards, so the cutoff is
    the start of the day after the latest received day that is already overdue.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    today = local_date(now, time_zone)
    day = today - datetime.timedelta(days=1)
    for _ in range(MAX_LOOKBACK_DAYS):
        if add_school_days(day, school_days, holidays) < today:
            next_day = day + datetime.timedelta(days=1)
            start = datetime.datetime.combine(next_day, datetime.time(), tzinfo=zone)
            return start.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        day -= datetime.timedelta(days=1)
    return datetime.datetime.min


def commitment():
    """Return (school days, holidays) from the configuration."""
    config = current_app.config
    return config["RESPONSE_SCHOOL_DAYS"], parse_holidays(config["HOLIDAYS"])
