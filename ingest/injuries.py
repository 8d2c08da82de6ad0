"""fetch-injuries: the newest official injury report published at or before a time, kept
raw, read from its PDF and imported as `import-injuries` imports the same table."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from ingest import injury_pdf, raw
from ingest.http import FeedError, Http, RetryPolicy
from ingest.importer.injuries import import_injuries
from ingest.importer.layouts import ImportValidationError
from ingest.importer.slate_inputs import Problems, as_of_from_name
from ingest.injury_slots import EASTERN, LOOKBACK, newest_first
from ingest.recording import recorded
from shared.ports import ObjectStore, Warehouse
from shared.schedule import first_tipoff

FEED = "injuries"
POLICY = RetryPolicy(read_s=30.0)
NOT_PUBLISHED = 403       # how the report folder answers a slot that has no file


@dataclass
class InjuryFetch:
    report: str              # Injury-Report_2024-01-15_05PM
    as_of: pd.Timestamp
    rows: int
    out: int
    unmatched: list[str]
    not_submitted: list[str]
    slots_tried: int
    raw_key: str


def report_time(warehouse: Warehouse, day: date | None, at: datetime | None, now: datetime) -> datetime:
    """The time whose report is wanted: ``at``; else, for a night whose first tip-off has
    passed, just before it (the end of that day when the schedule has no tip-off for it);
    else now."""
    if at is not None:
        return at
    if day is not None:
        tip = first_tipoff(warehouse, day)
        if tip is not None and tip <= now:
            return tip - timedelta(seconds=1)
        end_of_day = datetime.combine(day + timedelta(days=1), time(0), EASTERN) - timedelta(seconds=1)
        if tip is None and end_of_day <= now:
            return end_of_day
    return now


def fetch(warehouse: Warehouse, store: ObjectStore, http: Http, base_url: str, day: date, at: datetime,
          fetched_at: datetime) -> InjuryFetch:
    """Walk back from the newest slot at or before ``at`` to the newest published report."""
    base = base_url.rstrip("/")
    with recorded(store, FEED, fetched_at) as outcome:
        tried = 0
        for slot in newest_first(at):
            url = f"{base}/{slot.name}.pdf"
            outcome.url = url
            response = http.get(url, accept={NOT_PUBLISHED})
            tried += 1
            if response.status_code == NOT_PUBLISHED:
                continue
            key = raw.keep(store, FEED, day, raw.stamp(fetched_at), slot.name, "pdf", response.content)
            done = import_report(warehouse, response.content, slot.name, url)
            done.slots_tried, done.raw_key = tried, key
            outcome.rows, outcome.covers = done.rows, slot.name
            outcome.notes = {"not_submitted": ", ".join(done.not_submitted)} if done.not_submitted else {}
            return done
        raise FeedError(FEED, f"{base}/", f"no report published in the {LOOKBACK.total_seconds() / 3600:.0f} hours "
                                          f"before {at.astimezone(EASTERN):%Y-%m-%d %H:%M} ET (HTTP "
                                          f"{NOT_PUBLISHED} for all {tried} slots)")


def import_report(warehouse: Warehouse, data: bytes, name: str, where: str) -> InjuryFetch:
    """One report's PDF through the injury importer; the as-of time is the one in its name."""
    report = injury_pdf.read(data, where)
    named = Problems(name)
    as_of = as_of_from_name(name, named)
    if named.found:
        raise FeedError(FEED, where, f"file name {name!r}: {named.found[0].reason}")
    with tempfile.TemporaryDirectory(prefix="injuries-") as tmp:
        path = Path(tmp) / f"{name}.csv"
        report.table.to_csv(path, index=False)
        try:
            result = import_injuries(warehouse, path, as_of, source=f"{name}.pdf")
        except ImportValidationError as exc:
            first = exc.problems[0]
            row = max(first.line - 2, 0)
            page = f" (page {report.pages[row]})" if row < len(report.pages) else ""
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            raise FeedError(FEED, where, f"row {row + 1}{page} field {first.column} = {first.value!r}: "
                                         f"{first.reason}{more}") from None
    return InjuryFetch(name, as_of, result.rows, result.out, result.unmatched, report.not_submitted, 0, "")
