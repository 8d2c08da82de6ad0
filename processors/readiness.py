"""When a night's processors may run: not at a fixed hour but once their inputs are in.

Ready when, for game date D,
- the schedule has games on D;
- yesterday's box scores are in: every game the schedule had on D-1 (postponed ones aside)
  has box scores stored, or it had none;
- the first tip-off is at most the lead away (`PIPELINE_PROCESS_LEAD_MINUTES`, 2 hours by
  default; 19:00 ET is assumed for a day whose schedule gives no tip-off), and
- D's first injury report has arrived: a report as of D (ET) is stored for D's games. By half
  the lead before tip-off the night goes ahead without one (a batch without the report beats
  no batch; the answer says so).
A day whose processors already ran on the nightly path is done: nothing runs twice.

One answer for `serve`'s loop (bin/nightly.py) and for `process --date today --when-ready`,
which Cloud Scheduler starts every ten minutes on Google Cloud (bin/night_steps.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from shared import schedule, tables, timetable
from shared.catalogue import PROCESSOR_NAMES
from shared.ports import Warehouse

PROCESSED = ("success", "partial")
SHOWN = 5   # missing games named in the answer


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str                  # one line: what it waits for, or what it found
    done: bool = False           # already processed: nothing more to do for the day
    without_report: bool = False   # ready, but no injury report arrived in time


def check(warehouse: Warehouse, day: date, now: datetime, lead: timedelta) -> Readiness:
    if not schedule.has_games(warehouse, day):
        return Readiness(False, f"no games scheduled on {day}: nothing to process")
    ran = processed_at(warehouse, day)
    if ran is not None:
        return Readiness(False, f"processors already ran for {day} (finished {_et(ran)}): not again", done=True)
    missing, expected = missing_box_scores(warehouse, day - timedelta(days=1))
    if missing:
        more = " ..." if len(missing) > SHOWN else ""
        return Readiness(False, f"box scores of {day - timedelta(days=1)} not in yet: {len(missing)} of {expected} "
                                f"games missing ({', '.join(missing[:SHOWN])}{more})")
    tip = timetable.tipoff_or_default(day, schedule.first_tipoff(warehouse, day))
    start = timetable.process_from(tip, lead)
    if now < start:
        return Readiness(False, f"waiting until {_et(start)} ({_span(lead)} before the first tip-off at {_et(tip)})")
    report = newest_report(warehouse, day)
    if report is None:
        give_up = timetable.report_wait_until(tip, lead)
        if now < give_up:
            return Readiness(False, f"waiting for the injury report of {day} (going ahead without it at "
                                    f"{_et(give_up)})")
        return Readiness(True, f"ready without an injury report for {day}: none arrived by {_et(give_up)}",
                         without_report=True)
    boxes = f"box scores of {day - timedelta(days=1)} in ({expected} games)" if expected else \
        f"no games on {day - timedelta(days=1)}"
    return Readiness(True, f"ready: {boxes}, newest injury report as of {_et(report)}, first tip-off {_et(tip)}")


def processed_at(warehouse: Warehouse, day: date) -> datetime | None:
    """When the last processor finished on the nightly path for ``day``, if every one did."""
    runs = warehouse.read(tables.PROCESSOR_RUNS.fqn, day, day, columns=["processor", "mode", "status", "finished_at"])
    done = runs[(runs["mode"] == "nightly") & runs["status"].isin(PROCESSED)]
    if not set(PROCESSOR_NAMES) <= set(done["processor"]):
        return None
    return pd.Timestamp(done["finished_at"].max()).to_pydatetime()


def missing_box_scores(warehouse: Warehouse, day: date) -> tuple[list[str], int]:
    """The games the schedule had on ``day`` without box scores stored, and how many it had."""
    games = schedule.playable(warehouse.read(tables.SCHEDULE.fqn, day, day, columns=["game_id", "status"]))
    if games.empty:
        return [], 0
    stored = set(warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, day, day, columns=["game_id"])["game_id"])
    return sorted(set(games["game_id"]) - stored), len(games)


def newest_report(warehouse: Warehouse, day: date) -> datetime | None:
    """The newest injury report as of ``day`` (ET) stored for its games."""
    reports = warehouse.read(tables.INJURY_REPORT.fqn, day, day, columns=["as_of"])["as_of"]
    as_of = pd.to_datetime(reports, utc=True).dt.tz_convert(timetable.EASTERN)
    today = as_of[as_of.dt.date == day]
    return None if today.empty else today.max().to_pydatetime()


def _et(at: datetime) -> str:
    return f"{at.astimezone(timetable.EASTERN):%H:%M} ET"


def _span(lead: timedelta) -> str:
    hours, minutes = divmod(int(lead.total_seconds()) // 60, 60)
    return " ".join(p for p in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if p)
