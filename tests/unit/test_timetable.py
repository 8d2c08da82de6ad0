"""The night's timetable: cron expressions read as Cloud Scheduler reads them (in ET), every
step a real CLI command or a service's check, and every step run by `serve`'s loop too."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bin import night_steps
from bin.cli.app import command
from bin.night_workflow import RUNNERS, on_demand
from bin.nightly import SERVES_ITSELF, Nightly
from shared import timetable
from shared.config import Settings
from shared.timetable import Cron, CronError

ET = ZoneInfo("America/New_York")


def et(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ET)


@pytest.mark.parametrize("cron, now, fired", [
    ("5-55/10 9-23 * * *", et(2024, 1, 16, 17, 34), et(2024, 1, 16, 17, 25)),
    ("5-55/10 9-23 * * *", et(2024, 1, 16, 9, 4), None),                 # not yet today
    ("5-55/10 9-23 * * *", et(2024, 1, 17, 0, 30), None),                # yesterday's 23:55 is yesterday's
    ("*/15 10-23 * * *", et(2024, 1, 16, 10, 0), et(2024, 1, 16, 10, 0)),
    ("15 5-11 * * *", et(2024, 1, 16, 14, 0), et(2024, 1, 16, 11, 15)),
    ("0 4 * * 1", et(2024, 1, 15, 5, 0), et(2024, 1, 15, 4, 0)),           # a Monday
    ("0 4 * * 1", et(2024, 1, 16, 5, 0), None),                          # a Tuesday
    ("0 4 * * 7", et(2024, 1, 14, 5, 0), et(2024, 1, 14, 4, 0)),           # 7 is Sunday too
    ("0 12 1 * 1", et(2024, 1, 15, 13, 0), et(2024, 1, 15, 12, 0)),        # day and weekday: either matches
])
def test_last_fire_reads_cron_in_eastern_time(cron, now, fired):
    assert Cron.parse(cron).last_fire(now) == fired


def test_a_time_given_in_utc_is_read_in_eastern_time():
    assert Cron.parse("0 5 * * *").last_fire(datetime.fromisoformat("2024-01-16T10:30:00+00:00")) == \
        et(2024, 1, 16, 5, 0)


@pytest.mark.parametrize("cron, message", [
    ("0 5 * *", "five fields expected"),
    ("60 5 * * *", "cron minute '60': outside 0-59"),
    ("0 5-x * * *", "cron hour '5-x': not a number"),
    ("*/0 5 * * *", "cron minute '*/0': outside 0-59"),
])
def test_a_bad_cron_is_refused_naming_the_field(cron, message):
    with pytest.raises(CronError, match=message.replace("*", r"\*")):
        Cron.parse(cron)


def test_every_step_has_a_valid_cron_unique_names_and_a_command_the_cli_accepts():
    assert len({s.name for s in night_steps.STEPS}) == len({s.scheduler_job for s in night_steps.STEPS}) == \
        len(night_steps.STEPS)
    group = command()
    for step in night_steps.STEPS:
        Cron.parse(step.cron)
        assert bool(step.command) == (step.target == "job"), step.name
        if step.command:
            sub = group.commands[step.command[0]]
            with group.context_class(group) as parent:
                sub.make_context(step.command[0], list(step.command[1:]), parent=parent)   # raises on a bad option


def test_serve_runs_every_step_but_the_stall_check_it_does_itself(tmp_path):
    loop = Nightly(Settings(home=tmp_path), None, None, None, lambda days: {})
    assert set(RUNNERS) | SERVES_ITSELF == {s.name for s in night_steps.STEPS}
    assert {s.name for s in loop.steps} == set(RUNNERS)


def test_run_and_daily_run_the_timetables_on_demand_steps_in_its_order():
    assert [s.name for s in on_demand()] == ["grade", "processors", "monitor"]          # `run`, `daily --no-fetch`
    assert [s.name for s in on_demand(["lines", "schedule"])] == ["schedule", "grade", "lines", "processors", "monitor"]


def test_the_nights_times_keep_their_order_before_the_first_tipoff():
    tip, lead = et(2024, 1, 16, 19, 30), timedelta(hours=2)
    assert timetable.process_from(tip, lead) < timetable.report_wait_until(tip, lead) < timetable.deadline(tip, lead) \
        < tip
    assert timetable.deadline(tip, lead) == et(2024, 1, 16, 19, 0)
    assert timetable.tipoff_or_default(tip.date(), None) == et(2024, 1, 16, 19, 0)
