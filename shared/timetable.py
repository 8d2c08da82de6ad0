"""The night's timetable, defined once for both backends: every scheduled step with its cron
expression (America/New_York) and the `bin/pipeline` arguments it runs. `bin/deploy` makes
each step a Cloud Scheduler job (a Cloud Run job of the CLI image, or a service's check);
`serve` runs the same steps on its own clock (bin/nightly.py). The times a night keeps
relative to its first tip-off (when the processors may run, when the deadline passes) are
here too, so the readiness check, the loop and the orchestrator's deadline agree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

TIME_ZONE = "America/New_York"
EASTERN = ZoneInfo(TIME_ZONE)
DEFAULT_TIPOFF = time(19, 0)     # ET, for a scheduled game whose tip-off the schedule does not give

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


# In the order a tick runs what is due together: the schedule before the box scores, the injury
# report before the processors' readiness looks for it, the processors before the deadline.
STEPS = (
    Step("schedule", "0 5 * * *", "schedule-fetch", ("fetch-schedule",), feed="schedule"),
    # hourly through the morning: a run with yesterday already stored asks the API nothing
    Step("box-scores", "15 5-11 * * *", "box-scores-fetch", ("fetch-box-scores",), feed="box_scores"),
    Step("grade", "45 5-11 * * *", "grade-nightly", ("grade", "--date", "yesterday")),
    Step("injuries", "*/15 10-23 * * *", "injuries-fetch", ("fetch-injuries", "--until-last-tip"),
         feed="injuries"),
    Step("lines", "*/30 10-23 * * *", "lines-fetch", ("fetch-lines", "--until-last-tip"), feed="lines"),
    # frequent; the readiness check decides (processors/readiness.py) and a day is processed once
    Step("processors", "5-55/10 9-23 * * *", "processors-nightly", ("process", "--date", "today", "--when-ready")),
    Step("deadline-check", "*/15 10-23 * * *", "orchestrator-deadline-check", target="deadline-check"),
    Step("monitor", "30 23 * * *", "monitor-nightly", ("monitor", "--date", "today")),
    Step("retrain", "0 4 * * 1", "retrain-weekly", ("retrain", "--end", "yesterday", "--register-as", "challenger"),
         timeout="2h"),   # ten models and five blends
    Step("stall-check", "*/10 * * * *", "coordinator-stall-check", target="stall-check"),
)
BY_NAME = {s.name: s for s in STEPS}
JOBS = tuple(s for s in STEPS if s.target == "job")


# -- the night's times, relative to its first tip-off ----------------------------------------

def tipoff_or_default(day: date, tipoff: datetime | None) -> datetime:
    """A tip-off in ET; DEFAULT_TIPOFF on ``day`` when the schedule has none."""
    return (tipoff or datetime.combine(day, DEFAULT_TIPOFF, EASTERN)).astimezone(EASTERN)


def process_from(tip: datetime, lead: timedelta) -> datetime:
    """The processors run from ``lead`` before the first tip-off, once the day's injury report is in."""
    return tip - lead


def report_wait_until(tip: datetime, lead: timedelta) -> datetime:
    """Without an injury report by half the lead before tip-off, the night goes ahead without one:
    a batch without the report beats no batch."""
    return tip - lead / 2


def deadline(tip: datetime, lead: timedelta) -> datetime:
    """The orchestrator's deadline: a quarter of the lead before tip-off, it triggers with a
    quorum or raises the alarm."""
    return tip - lead / 4


# -- cron: the five-field subset the timetable uses (numbers, *, a-b, /n, lists) -------------

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))


class CronError(ValueError):
    pass


def _field(text: str, name: str, lo: int, hi: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        span, _, every = part.partition("/")
        try:
            step = int(every) if every else 1
            if span == "*":
                first, last = lo, hi
            elif "-" in span:
                first, last = (int(x) for x in span.split("-", 1))
            else:
                first = last = int(span)
        except ValueError:
            raise CronError(f"cron {name} {text!r}: not a number, *, a range or a step") from None
        if not (lo <= first <= last <= hi) or step < 1:
            raise CronError(f"cron {name} {text!r}: outside {lo}-{hi}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]         # 0 and 7 are Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) != 5:
            raise CronError(f"cron {expression!r}: five fields expected (minute hour day month weekday)")
        sets = [_field(p, *spec) for p, spec in zip(parts, _FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in sets[4])
        return cls(sets[0], sets[1], sets[2], sets[3], weekdays, parts[2] == "*", parts[4] == "*")

    def runs_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month, in_week = day.day in self.days, day.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:   # cron: both restricted means either matches
            return in_month and in_week
        return in_month or in_week

    def last_fire(self, now: datetime) -> datetime | None:
        """The latest time this fired at or before ``now`` on ``now``'s day (ET), or None."""
        now = now.astimezone(EASTERN)
        if not self.runs_on(now.date()):
            return None
        for hour in sorted((h for h in self.hours if h <= now.hour), reverse=True):
            minutes = [m for m in self.minutes if hour < now.hour or m <= now.minute]
            if minutes:
                return datetime.combine(now.date(), time(hour, max(minutes)), EASTERN)
        return None


def last_fire(step: Step, now: datetime) -> datetime | None:
    return Cron.parse(step.cron).last_fire(now)
