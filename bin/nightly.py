"""The nightly loop on one machine: what Cloud Scheduler does on Google Cloud. Each tick
does what is due and not yet done today, in US/Eastern: grade yesterday (once its box
scores are in), run today's processors when the schedule has games (they publish; the
orchestrator starts the batch), then the deadline check. What ran is kept in
``$PIPELINE_HOME/nightly.json`` so a restart does not run it twice. The clock is injected."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from shared import schedule
from shared.config import Settings
from shared.ports import Publisher, Warehouse

EASTERN = ZoneInfo("America/New_York")
log = logging.getLogger(__name__)


def _at(text: str) -> time:
    return datetime.strptime(text, "%H:%M").time()


class Nightly:
    def __init__(self, settings: Settings, warehouse: Warehouse, publisher: Publisher, check_deadlines,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), state: Path | None = None):
        self.warehouse, self.publisher, self.check_deadlines, self.clock = warehouse, publisher, check_deadlines, clock
        self.times = {"grade": _at(settings.grade_at), "process": _at(settings.process_at),
                      "deadline": _at(settings.deadline_at)}
        self.state = state or settings.home / "nightly.json"

    def _done(self) -> dict[str, list[str]]:
        try:
            return json.loads(self.state.read_text())
        except (OSError, ValueError):
            return {}

    def _mark(self, step: str, day: date) -> None:
        done = self._done()
        done[step] = sorted({*done.get(step, []), day.isoformat()})[-30:]
        self.state.write_text(json.dumps(done))

    def tick(self) -> list[str]:
        """Do what is due; returns what was done, one line each."""
        now = self.clock().astimezone(EASTERN)
        today, done, report = now.date(), self._done(), []
        due = {step: now.time() >= at for step, at in self.times.items()}
        yesterday = today - timedelta(days=1)
        if due["grade"] and yesterday.isoformat() not in done.get("grade", []):
            from modeling.grading import grade

            result = grade(self.warehouse, yesterday, yesterday)
            if not result.dates_without_results:      # box scores not in yet: try again next tick
                self._mark("grade", yesterday)
                report.append(f"graded {yesterday}: {result.rows:,} predictions")
        if due["process"] and today.isoformat() not in done.get("process", []):
            if schedule.has_games(self.warehouse, today):
                from processors.runner import nightly
                from processors.staleness import StaleBoxScores

                try:
                    events = nightly(self.warehouse, self.publisher, today)
                    report.append(f"processors for {today}: {', '.join(sorted({e.status for e in events}))}")
                    self._mark("process", today)
                except StaleBoxScores as exc:   # not marked: the next tick tries again, once they are in
                    log.warning("processors for %s refused: %s", today, exc, extra={"nightly": True})
                    report.append(f"processors for {today} refused: {exc}")
            else:
                report.append(f"no games scheduled on {today}")
                self._mark("process", today)
        if due["deadline"] and today.isoformat() not in done.get("deadline", []):
            results = self.check_deadlines([today])
            self._mark("deadline", today)
            report.append(f"deadline check {today}: {results[str(today)]}")
        for line in report:
            log.info(line, extra={"nightly": True})
        return report
