"""fetch-schedule: the league's season schedule feed, kept raw and imported as
`import-schedule` imports the same file."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ingest import raw
from ingest.http import FeedError, Http, RetryPolicy
from ingest.importer.layouts import ImportValidationError
from ingest.importer.schedule import ScheduleFile, read_schedule, write_schedule
from ingest.recording import recorded
from shared.ports import ObjectStore, Warehouse

FEED = "schedule"
POLICY = RetryPolicy(read_s=30.0)
NAME = "scheduleLeagueV2"


@dataclass
class ScheduleFetch:
    size: int
    counts: dict[str, int]
    schedule: ScheduleFile
    raw_key: str


def fetch(warehouse: Warehouse, store: ObjectStore, http: Http, url: str, day: date,
          fetched_at: datetime) -> ScheduleFetch:
    with recorded(store, FEED, fetched_at) as outcome:
        outcome.url = url
        response = http.get(url, headers={"User-Agent": "nba-props-pipeline"})
        key = raw.keep(store, FEED, day, raw.stamp(fetched_at), NAME, "json", response.content)
        schedule = read_feed(response.content, url)
        counts = write_schedule(warehouse, schedule)
        dates = schedule.games["game_date"]
        outcome.rows = counts["games"]
        outcome.covers = f"{dates.min().date()}..{dates.max().date()}" if len(dates) else "no games"
    return ScheduleFetch(len(response.content), counts, schedule, key)


def read_feed(data: bytes, where: str) -> ScheduleFile:
    """The feed read by the schedule importer; anything else is a FeedError naming the field."""
    if not data.lstrip().startswith(b"{"):
        raise FeedError(FEED, where, "answered something that is not JSON: "
                                     f"{data[:60].decode('utf-8', 'replace').strip()!r}")
    with tempfile.TemporaryDirectory(prefix="schedule-") as tmp:
        path = Path(tmp) / f"{NAME}.json"
        path.write_bytes(data)
        try:
            return read_schedule(path)
        except ImportValidationError as exc:
            first = exc.problems[0]
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            raise FeedError(FEED, where, f"field {first.column} = {first.value!r}: {first.reason}{more}") from None


def import_run(warehouse: Warehouse, run: raw.Run) -> int:
    """A stored run again (replay-raw)."""
    return sum(write_schedule(warehouse, read_feed(r.data, r.key))["games"] for r in run.responses)
