"""The night on one machine: `serve` runs the timetable Cloud Scheduler runs on Google Cloud
(bin/night_steps.py), on an injected clock. A step is due when its cron fired (today, ET)
since it last ran; a tick runs what is due, in the timetable's order, each through the same
functions its command calls. What ran when is kept in ``$PIPELINE_HOME/nightly.json``, so a
restart does not repeat it (a step missed while `serve` was down runs once, not once per
missed time). A step that fails is logged (a fetch's failure also lands in its feed's
freshness record) and the loop goes on with the next."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bin import night_steps
from shared import freshness, schedule, timetable
from shared.config import Settings
from shared.ports import ObjectStore, Publisher, Warehouse

log = logging.getLogger(__name__)
KEPT_DAYS = 7
SERVES_ITSELF = {"stall-check"}   # serve checks stalls every --stall-check-seconds, more often than the cloud


class Nightly:
    def __init__(self, settings: Settings, warehouse: Warehouse, store: ObjectStore, publisher: Publisher,
                 check_deadlines: Callable[[list[date]], dict[str, str]],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), state: Path | None = None,
                 steps: tuple[night_steps.Step, ...] = night_steps.STEPS,
                 refresh: Callable[[date, datetime], dict] | None = None):
        self.settings, self.warehouse, self.store, self.publisher = settings, warehouse, store, publisher
        self.check_deadlines, self.clock = check_deadlines, clock
        self.refresh = refresh   # the coordinator's news refresh (coordinator/refresh.py), after each report
        self.state = state or settings.home / "nightly.json"
        self.steps = tuple(s for s in steps if s.name not in SERVES_ITSELF)
        self.runners: dict[str, Callable[[datetime], str]] = {
            "schedule": self._schedule, "box-scores": self._box_scores, "grade": self._grade,
            "injuries": self._injuries, "lines": self._lines, "processors": self._processors,
            "deadline-check": self._deadline_check, "monitor": self._monitor, "retrain": self._retrain}
        self._said: dict[str, str] = {}   # the last line logged per step: a step repeating itself is not logged

    # -- what ran when ------------------------------------------------------------------------
    def _ran(self) -> dict[str, dict[str, str]]:
        try:
            found = json.loads(self.state.read_text())
        except (OSError, ValueError):
            return {}
        return {day: steps for day, steps in found.items() if isinstance(steps, dict)} if isinstance(found, dict) \
            else {}

    def _mark(self, step: str, at: datetime) -> None:
        ran = self._ran()
        ran.setdefault(at.date().isoformat(), {})[step] = at.isoformat()
        kept = dict(sorted(ran.items())[-KEPT_DAYS:])
        partial = self.state.with_suffix(".json.tmp")   # replaced whole: a crash never leaves half a record
        partial.write_text(json.dumps(kept, indent=1))
        partial.replace(self.state)

    def due(self, now: datetime) -> list[night_steps.Step]:
        now = now.astimezone(timetable.EASTERN)
        ran = self._ran().get(now.date().isoformat(), {})
        due = []
        for step in self.steps:
            fired = night_steps.last_fire(step, now)
            if fired is not None and (step.name not in ran or datetime.fromisoformat(ran[step.name]) < fired):
                due.append(step)
        return due

    def tick(self) -> list[str]:
        """Run what is due; returns what each step did, one line each ("step: what it did")."""
        report = []
        for step in self.due(self.clock()):
            now = self.clock().astimezone(timetable.EASTERN)
            line = self._run(step, now)
            self._mark(step.name, now)
            report.append(f"{step.name}: {line}")
            if self._said.get(step.name) != line:
                self._said[step.name] = line
                log.log(logging.WARNING if line.startswith("failed:") else logging.INFO, "%s: %s", step.name, line,
                        extra={"nightly": True, "step": step.name})
        return report

    def _run(self, step: night_steps.Step, now: datetime) -> str:
        from ingest.http import FeedError
        from ingest.runs import NotFetched

        try:
            return self.runners[step.name](now)
        except (FeedError, NotFetched) as exc:   # one line, logged by tick; the fetcher recorded it in freshness
            return f"failed: {exc}"
        except Exception as exc:
            log.exception("%s failed", step.name, extra={"step": step.name})
            if step.feed is not None:
                freshness.record_failure(self.store, step.feed, now, f"{type(exc).__name__}: {exc}", None)
            return f"failed: {type(exc).__name__}: {exc}"

    # -- the steps ------------------------------------------------------------------------------
    def _schedule(self, now: datetime) -> str:
        from ingest import runs

        return runs.schedule_of_season(self.settings, self.warehouse, self.store, now).said[-1]

    def _box_scores(self, now: datetime) -> str:
        from ingest import runs

        return runs.box_scores(self.settings, self.warehouse, self.store, now).line

    def _injuries(self, now: datetime) -> str:
        from ingest import runs

        return self._refreshed(runs.injuries(self.settings, self.warehouse, self.store, now,
                                             until_last_tip=True).line, now)

    def _refreshed(self, line: str, now: datetime) -> str:
        """After a fetch: the news and the moved lines applied (coordinator/refresh.py)."""
        if self.refresh is None:
            return line
        done = self.refresh(now.date(), now)
        # the quiet states (no batch yet, no report, nothing new) repeat every fetch; the others are news
        news = done["state"] in ("refreshed", "no_change", "waiting") or done.get("repriced")
        return f"{line}; {done['message']}" if news else line

    def _lines(self, now: datetime) -> str:
        from ingest import runs

        return self._refreshed(runs.lines(self.settings, self.warehouse, self.store, now, until_last_tip=True).line,
                               now)

    def _grade(self, now: datetime) -> str:
        from modeling.grading import grade

        yesterday = now.date() - timedelta(days=1)
        result = grade(self.warehouse, yesterday, yesterday)
        waiting = f"; no box scores yet for {yesterday}" if result.dates_without_results else ""
        return f"graded {yesterday}: {result.rows:,} predictions{waiting}"

    def _processors(self, now: datetime) -> str:
        from processors import readiness
        from processors.runner import nightly
        from processors.staleness import StaleBoxScores

        today = now.date()
        found = readiness.check(self.warehouse, today, now, self.settings.process_lead)
        if not found.ready:
            return found.reason
        if found.without_report:
            log.warning("%s: %s", today, found.reason)
        try:
            events = nightly(self.warehouse, self.publisher, today)
        except StaleBoxScores as exc:   # the next time the step is due, it tries again
            return f"refused: {exc}"
        return f"{found.reason}; processors for {today}: {', '.join(sorted({e.status for e in events}))}"

    def _deadline_check(self, now: datetime) -> str:
        today = now.date()
        tip = timetable.tipoff_or_default(today, schedule.first_tipoff(self.warehouse, today))
        deadline = timetable.deadline(tip, self.settings.process_lead)
        if now < deadline:
            return f"the deadline for {today} is {deadline:%H:%M} ET"
        return f"deadline check {today}: {self.check_deadlines([today])[str(today)]}"

    def _monitor(self, now: datetime) -> str:
        from modeling.drift import monitor

        result = monitor(self.warehouse, self.store, now.date())
        if not result.psi:
            return f"{now.date()}: no feature-store rows or no drift reference; nothing measured"
        return (f"{now.date()}: {len(result.psi)} features measured; drift alerts: "
                f"{', '.join(result.drift_alerts) or 'none'}; accuracy alerts: "
                f"{', '.join(result.accuracy_alerts) or 'none'}")

    def _retrain(self, now: datetime) -> str:
        from modeling.retrain import retrain

        step = night_steps.BY_NAME["retrain"]
        role = step.command[step.command.index("--register-as") + 1]
        done = retrain(self.warehouse, self.store, now.date() - timedelta(days=1), role)
        return (f"retrained {len(done.outcomes)} model(s): "
                f"{sum(o.role != 'rejected' for o in done.outcomes)} registered as {role}")
