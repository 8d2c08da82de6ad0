"""The night's steps, defined once for both backends: each with its cron expression
(America/New_York, shared/timetable.py reads it) and the `bin/pipeline` arguments it runs.
`bin/deploy` makes each step a Cloud Scheduler job (a Cloud Run job of the CLI image, or a
service's check); `serve` runs the same steps on its own clock (bin/nightly.py); `run` and
`daily` run those marked ``on_demand`` at once, in this order (bin/night_workflow.py runs
each step, the same way for all three)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.timetable import Cron

Target = Literal["job", "deadline-check", "stall-check"]


@dataclass(frozen=True)
class Step:
    name: str                    # the step; on Google Cloud also the Cloud Run job that runs it
    cron: str                    # minute hour day-of-month month day-of-week, America/New_York
    scheduler_job: str           # the Cloud Scheduler job
    command: tuple[str, ...] = ()    # bin/pipeline arguments (target "job")
    target: Target = "job"       # or a service's check: the orchestrator's deadline, the coordinator's stalls
    feed: str | None = None      # a fetch step: the feed whose freshness record shows its failures
    timeout: str = "30m"         # the Cloud Run job's task timeout
    on_demand: bool = False      # also run by `run` and `daily` (a fetch step only by `daily`)


# In the order a tick runs what is due together: the schedule before the box scores, the injury
# report before the processors' readiness looks for it, the processors before the deadline.
STEPS = (
    Step("schedule", "0 5 * * *", "schedule-fetch", ("fetch-schedule",), feed="schedule", on_demand=True),
    # hourly through the morning: a run with yesterday already stored asks the API nothing
    Step("box-scores", "15 5-11 * * *", "box-scores-fetch", ("fetch-box-scores",), feed="box_scores",
         on_demand=True),
    Step("grade", "45 5-11 * * *", "grade-nightly", ("grade", "--date", "yesterday"),
         on_demand=True),
    Step("injuries", "*/15 10-23 * * *", "injuries-fetch", ("fetch-injuries", "--until-last-tip"),
         feed="injuries", on_demand=True),
    Step("lines", "*/30 10-23 * * *", "lines-fetch", ("fetch-lines", "--until-last-tip"), feed="lines",
         on_demand=True),
    # frequent; the readiness check decides (processors/readiness.py) and a day is processed once
    Step("processors", "5-55/10 9-23 * * *", "processors-nightly", ("process", "--date", "today", "--when-ready"),
         on_demand=True),
    Step("deadline-check", "*/15 10-23 * * *", "orchestrator-deadline-check", target="deadline-check"),
    Step("monitor", "30 23 * * *", "monitor-nightly", ("monitor", "--date", "today"), on_demand=True),
    Step("retrain", "0 4 * * 1", "retrain-weekly", ("retrain", "--end", "yesterday", "--register-as", "challenger"),
         timeout="2h"),   # ten models and five blends
    Step("stall-check", "*/10 * * * *", "coordinator-stall-check", target="stall-check"),
)
BY_NAME = {s.name: s for s in STEPS}
JOBS = tuple(s for s in STEPS if s.target == "job")


def last_fire(step: Step, now: datetime) -> datetime | None:
    return Cron.parse(step.cron).last_fire(now)
