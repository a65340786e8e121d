"""When sheets are checked: the schedule of .github/workflows/harian.yml as
named constants, and the next check after a given moment.

The workflow's cron lines are in UTC; these constants are the same moments in
WIB (UTC+7), the time the editors read on their report. Keep the two in step
(tests/test_schedule.py checks the cron lines against these constants).
"""
from __future__ import annotations

import datetime as dt

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")

# The daily full run: every day at 01:00 WIB (cron "0 18 * * *", UTC).
DAILY_AT = dt.time(1, 0)
# The frequent check: every 30 minutes from 07:00 to 16:30 WIB, Monday to
# Friday (cron "*/30 0-9 * * 1-5", UTC).
OFFICE_DAYS = frozenset(range(0, 5))  # Monday=0 … Friday=4
OFFICE_FIRST = dt.time(7, 0)
OFFICE_LAST = dt.time(16, 30)
OFFICE_EVERY = dt.timedelta(minutes=30)


def checks_on(day: dt.date) -> list[dt.datetime]:
    """Every scheduled check of one WIB calendar day, in order."""
    times = [dt.datetime.combine(day, DAILY_AT, WIB)]
    if day.weekday() in OFFICE_DAYS:
        at = dt.datetime.combine(day, OFFICE_FIRST, WIB)
        last = dt.datetime.combine(day, OFFICE_LAST, WIB)
        while at <= last:
            times.append(at)
            at += OFFICE_EVERY
    return sorted(times)


def next_check(after: dt.datetime) -> dt.datetime:
    """The first scheduled check strictly after `after` (an aware datetime;
    a naive one is taken as WIB), in WIB."""
    moment = after.replace(tzinfo=WIB) if after.tzinfo is None else after.astimezone(WIB)
    day = moment.date()
    while True:  # at most one day ahead: every day has its 01:00 run
        later = [t for t in checks_on(day) if t > moment]
        if later:
            return later[0]
        day += dt.timedelta(days=1)
