"""The night's workflow, one copy for every way a night is run: `run` and `daily` run the steps
the timetable marks ``on_demand`` one after another for a date they are given; `serve`'s loop
(bin/nightly.py) runs every step of the timetable when its time comes. Each step is one function
here, called the same way by both; what differs is data: ``live`` (serve follows the clock: the
processors wait until their inputs are in, fetches stop after the last tip-off) and which steps
a caller selects (bin/night_steps.py)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bin import night_steps
from shared import freshness, schedule, timetable
from shared.config import Settings
from shared.ports import ObjectStore, Publisher, Warehouse

log = logging.getLogger(__name__)
NO_GAMES_HINT = "import-schedule or fetch-schedule loads the league schedule"
STALE_HINT = "nothing processed (fetch-box-scores or import brings them; --allow-stale runs anyway)"


@dataclass
class Done:
    """What a step did, in the lines its command prints."""
    said: list[str]
    unmatched: list[str] = field(default_factory=list)   # names that match no player (kept, not used)
    failed: bool = False     # the step could not do its work: a fetch that failed, processors refused
    idle: bool = False       # nothing to do: the night has no games

    @property
    def line(self) -> str:
        return "; ".join(self.said)


@dataclass
class Night:
    """The ports a night's steps work on, and how they judge time (see the module docstring)."""
    settings: Settings
    warehouse: Warehouse
    store: ObjectStore
    publisher: Publisher
    live: bool
    allow_stale: bool = False
    check_deadlines: Callable[[list[date]], dict[str, str]] | None = None   # the orchestrator's deadline check
    refresh: Callable[[date, datetime], dict[str, Any]] | None = None       # news after a fetch: coordinator/refresh.py

    def run(self, step: night_steps.Step, day: date, now: datetime) -> Done:
        """Run one step for ``day`` as of ``now``. A feed that fails is a failed Done (its fetcher
        recorded it in the feed's freshness); anything else unexpected is recorded there too and
        raised for the caller to report."""
        from ingest.http import FeedError
        from ingest.runs import NotFetched

        try:
            return RUNNERS[step.name](self, day, now)
        except FeedError as exc:
            return Done([str(exc)], failed=True)
        except NotFetched as exc:
            return Done([f"{step.feed}: {exc}"], failed=True)
        except Exception as exc:
            if step.feed is not None:
                freshness.record_failure(self.store, step.feed, now, f"{type(exc).__name__}: {exc}", None)
            raise


def on_demand(feeds: Iterable[str] = ()) -> tuple[night_steps.Step, ...]:
    """The steps `run` and `daily` run, in the timetable's order; of the fetch steps only ``feeds``'."""
    wanted = set(feeds)
    return tuple(s for s in night_steps.STEPS if s.on_demand and (s.feed is None or s.feed in wanted))


# -- the steps ------------------------------------------------------------------------------------
def _fetched(done: Any) -> Done:
    return Done(list(done.said), list(done.unmatched))


def _schedule(night: Night, day: date, now: datetime) -> Done:
    from ingest import runs

    return _fetched(runs.schedule_of_season(night.settings, night.warehouse, night.store, now))


def _box_scores(night: Night, day: date, now: datetime) -> Done:
    from ingest import runs

    return _fetched(runs.box_scores(night.settings, night.warehouse, night.store, now, night=day))


def _injuries(night: Night, day: date, now: datetime) -> Done:
    from ingest import runs

    # live: the newest report now; a given night: the last one before its first tip-off
    done = runs.injuries(night.settings, night.warehouse, night.store, now, None if night.live else day,
                         until_last_tip=night.live)
    return _refreshed(night, _fetched(done), day, now)


def _lines(night: Night, day: date, now: datetime) -> Done:
    from ingest import runs

    done = runs.lines(night.settings, night.warehouse, night.store, now, day, until_last_tip=night.live)
    return _refreshed(night, _fetched(done), day, now)


def _refreshed(night: Night, done: Done, day: date, now: datetime) -> Done:
    """After a fetch: the news and the moved lines applied to the day's batch."""
    if night.refresh is None:
        return done
    found = night.refresh(day, now)
    # the quiet states (no batch yet, no report, nothing new) repeat every fetch; the others are news
    if found["state"] in ("refreshed", "no_change", "waiting") or found.get("repriced"):
        done.said.append(found["message"])
    return done


def _grade(night: Night, day: date, now: datetime) -> Done:
    from modeling.grading import grade

    yesterday = day - timedelta(days=1)
    result = grade(night.warehouse, yesterday, yesterday)
    waiting = f"; no box scores yet for {yesterday}" if result.dates_without_results else ""
    return Done([f"graded {yesterday}: {result.rows:,} predictions{waiting}"])


def _processors(night: Night, day: date, now: datetime) -> Done:
    from processors import readiness
    from processors.runner import nightly
    from processors.staleness import StaleBoxScores

    if night.live:   # when ready: the readiness check decides, and a day is processed once
        found = readiness.check(night.warehouse, day, now, night.settings.process_lead)
        if not found.ready:
            return Done([found.reason])
        if found.without_report:
            log.warning("%s: %s", day, found.reason)
        said = f"{found.reason}; "
    elif not schedule.has_games(night.warehouse, day):
        return Done([f"{day}: no games scheduled; nothing to predict ({NO_GAMES_HINT})"], idle=True)
    else:
        said = ""
    try:
        events = nightly(night.warehouse, night.publisher, day, allow_stale=night.allow_stale)
    except StaleBoxScores as exc:   # live: the next time the step is due, it tries again
        return Done([f"{exc}; {STALE_HINT}"], failed=True)
    statuses = ", ".join(sorted({e.status for e in events}))
    if not any(e.status == "success" for e in events):
        return Done([f"{said}processors for {day}: {statuses} ({events[0].error or ''})"], failed=True)
    return Done([f"{said}processors for {day}: {statuses}"])


def _deadline_check(night: Night, day: date, now: datetime) -> Done:
    if night.check_deadlines is None:
        raise ValueError("the deadline check needs the orchestrator's check_deadlines")
    tip = timetable.tipoff_or_default(day, schedule.first_tipoff(night.warehouse, day))
    deadline = timetable.deadline(tip, night.settings.process_lead)
    if now < deadline:
        return Done([f"the deadline for {day} is {deadline:%H:%M} ET"])
    return Done([f"deadline check {day}: {night.check_deadlines([day])[str(day)]}"])


def _monitor(night: Night, day: date, now: datetime) -> Done:
    from modeling.drift import monitor

    result = monitor(night.warehouse, night.store, day)
    if not result.psi:
        return Done([f"{day}: no feature-store rows or no drift reference; nothing measured"])
    return Done([f"{day}: {len(result.psi)} features measured; drift alerts: {', '.join(result.drift_alerts) or 'none'}"
                 f"; accuracy alerts: {', '.join(result.accuracy_alerts) or 'none'}"])


def _retrain(night: Night, day: date, now: datetime) -> Done:
    from modeling.retrain import retrain

    step = night_steps.BY_NAME["retrain"]
    role = step.command[step.command.index("--register-as") + 1]
    done = retrain(night.warehouse, night.store, day - timedelta(days=1), role)
    return Done([f"retrained {len(done.outcomes)} model(s): "
                 f"{sum(o.role != 'rejected' for o in done.outcomes)} registered as {role}"])


RUNNERS: dict[str, Callable[[Night, date, datetime], Done]] = {
    "schedule": _schedule, "box-scores": _box_scores, "grade": _grade, "injuries": _injuries, "lines": _lines,
    "processors": _processors, "deadline-check": _deadline_check, "monitor": _monitor, "retrain": _retrain}
