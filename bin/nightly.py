"""The night on one machine: `serve` runs the timetable Cloud Scheduler runs on Google Cloud
(bin/night_steps.py), on an injected clock. A step is due when its cron fired (today, ET)
since it last ran; a tick runs what is due, in the timetable's order, each through the night's
workflow (bin/night_workflow.py, which `run` and `daily` use too). What ran when is kept in
``$PIPELINE_HOME/nightly.json``, so a restart does not repeat it (a step missed while `serve`
was down runs once, not once per missed time). A step that fails is logged (a fetch's failure
also lands in its feed's freshness record) and the loop goes on with the next."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bin import night_steps
from bin.night_workflow import Night
from shared import timetable
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
                 refresh: Callable[[date, datetime], dict[str, Any]] | None = None):
        self.night = Night(settings, warehouse, store, publisher, live=True, check_deadlines=check_deadlines,
                           refresh=refresh)
        self.clock = clock
        self.state = state or settings.home / "nightly.json"
        self.steps = tuple(s for s in steps if s.name not in SERVES_ITSELF)
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
        try:
            done = self.night.run(step, now.date(), now)
        except Exception as exc:   # the loop outlives a step: logged with its traceback, tried at its next time
            log.exception("%s failed", step.name, extra={"step": step.name})
            return f"failed: {type(exc).__name__}: {exc}"
        return f"failed: {done.line}" if done.failed else done.line
