"""The schedule of checks shown on top of the editor's report."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from lindung import schedule
from lindung.schedule import WIB, next_check

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "harian.yml"


def wib(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=WIB)  # 24 March 2025 is a Monday


@pytest.mark.parametrize("after, expected", [
    (wib(24, 0, 30), wib(24, 1)),  # Monday night: the daily run
    (wib(24, 1), wib(24, 7)),  # strictly after: the daily run itself is not "next"
    (wib(24, 6, 59), wib(24, 7)),
    (wib(24, 7), wib(24, 7, 30)),
    (wib(24, 15, 10), wib(24, 15, 30)),
    (wib(24, 16, 29), wib(24, 16, 30)),
    (wib(24, 16, 30), wib(25, 1)),  # after the last office-hours check: tomorrow's daily run
    (wib(28, 16, 45), wib(29, 1)),  # Friday evening
    (wib(29, 1, 5), wib(30, 1)),  # Saturday: only the daily run
    (wib(30, 12), wib(31, 1)),  # Sunday
    (wib(31, 1, 1), wib(31, 7)),  # Monday again
])
def test_next_check_follows_the_schedule(after, expected):
    assert next_check(after) == expected


def test_next_check_takes_any_time_zone_and_answers_in_wib():
    utc = dt.datetime(2025, 3, 24, 8, 10, tzinfo=dt.timezone.utc)  # 15:10 WIB
    assert next_check(utc) == wib(24, 15, 30)
    assert next_check(utc).utcoffset() == dt.timedelta(hours=7)
    assert next_check(dt.datetime(2025, 3, 24, 15, 10)) == wib(24, 15, 30)  # naive: WIB


def test_the_constants_are_the_workflows_cron_lines():
    crons = re.findall(r'cron: "([^"]+)"', WORKFLOW.read_text(encoding="utf-8"))
    offset = 7  # WIB = UTC+7; cron runs in UTC
    daily = f"{schedule.DAILY_AT.minute} {(schedule.DAILY_AT.hour - offset) % 24} * * *"
    step = int(schedule.OFFICE_EVERY.total_seconds() // 60)
    first, last = schedule.OFFICE_FIRST.hour - offset, schedule.OFFICE_LAST.hour - offset
    days = sorted(d + 1 for d in schedule.OFFICE_DAYS)  # cron: Monday=1
    office = f"*/{step} {first}-{last} * * {days[0]}-{days[-1]}"
    assert schedule.OFFICE_FIRST.minute == 0 and schedule.OFFICE_LAST.minute == 60 - step
    assert sorted(crons) == sorted([daily, office])
