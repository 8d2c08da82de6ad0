"""The night's clock, defined once: the league's time zone, the times a night keeps relative to
its first tip-off (when the processors may run, when the deadline passes), so the readiness
check, the loop and the orchestrator's deadline agree, and the cron expressions the night's
steps (bin/night_steps.py) are scheduled by."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TIME_ZONE = "America/New_York"
EASTERN = ZoneInfo(TIME_ZONE)
DEFAULT_TIPOFF = time(19, 0)     # ET, for a scheduled game whose tip-off the schedule does not give

def parse_instant(text: str) -> datetime:
    """An ISO 8601 date and time; one without a zone is Eastern. ValueError names the value."""
    try:
        at = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"{str(text)[:40]!r} is not a date and time (ISO 8601, e.g. 2024-01-15T17:30; "
                         f"ET unless a zone is given)") from None
    return at.replace(tzinfo=EASTERN) if at.tzinfo is None else at


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
