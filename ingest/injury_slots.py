"""Which injury report files exist at a given time. The league names each report after its
time (ET): one an hour until 2025-12-21, published about 30 minutes after the named hour
(Injury-Report_2024-01-15_05PM.pdf is there from about 5:30 pm), and one every 15 minutes
from 2025-12-22 (Injury-Report_2025-12-22_05_15PM.pdf)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.timetable import EASTERN

QUARTER_HOURS_FROM = date(2025, 12, 22)
HOURLY_DELAY = timedelta(minutes=30)
LOOKBACK = timedelta(hours=24)
STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Slot:
    named: datetime          # the time in the file name, ET

    @property
    def name(self) -> str:
        clock = "%I_%M%p" if self.named.date() >= QUARTER_HOURS_FROM else "%I%p"
        return f"Injury-Report_{self.named:%Y-%m-%d}_{self.named.strftime(clock)}"

    @property
    def published(self) -> datetime:
        """When the file is there, as far as the schedule of publication tells."""
        return self.named if self.named.date() >= QUARTER_HOURS_FROM else self.named + HOURLY_DELAY


def newest_first(at: datetime, lookback: timedelta = LOOKBACK) -> Iterator[Slot]:
    """The slots published at or before ``at``, newest first, going back ``lookback``."""
    at = at.astimezone(EASTERN)
    named = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
    while named >= at - lookback:
        slot = Slot(named)
        if (named.date() >= QUARTER_HOURS_FROM or named.minute == 0) and slot.published <= at:
            yield slot
        named = (named.replace(tzinfo=None) - STEP).replace(tzinfo=EASTERN)
