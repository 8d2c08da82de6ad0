"""`daily`'s first step: fetch what is configured for the night (ingest/fetchers.py: the feeds
in PIPELINE_FEEDS, lines only with ODDS_API_KEY) in the night's order, each through the code
its fetch command runs and summarised as that command summarises it. A feed that fails is one
line (feed, URL, status or field; its freshness record says the same) and the night goes on
with what is stored; the caller exits 1 at the end so cron notices."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from bin.cli.common import console, print_error, warehouse
from bin.cli.feeds import print_box_scores, print_injuries, print_lines
from bin.cli.slate import print_schedule
from shared import bootstrap
from shared.config import Settings
from shared.ports import ObjectStore, Warehouse


def _box_scores(s: Settings, wh: Warehouse, store: ObjectStore, night: date) -> None:
    from ingest import fetchers

    found = fetchers.box_scores_range_before(wh, night)
    if isinstance(found, fetchers.Skipped):
        console.print(f"box scores: {found.reason}", highlight=False)
        return
    first, last = found
    began = time.perf_counter()
    done = fetchers.box_scores(s, wh, store, first, last, datetime.now(UTC))
    print_box_scores(done, first, last, time.perf_counter() - began)


def _schedule(s: Settings, wh: Warehouse, store: ObjectStore, night: date) -> None:
    from ingest import fetchers

    print_schedule(fetchers.schedule(s, wh, store, datetime.now(UTC)), s.schedule_url)


def _injuries(s: Settings, wh: Warehouse, store: ObjectStore, night: date) -> None:
    from ingest import fetchers

    print_injuries(fetchers.injuries(s, wh, store, night, None, datetime.now(UTC)))


def _lines(s: Settings, wh: Warehouse, store: ObjectStore, night: date) -> None:
    from ingest import fetchers

    began = time.perf_counter()
    done = fetchers.lines(s, wh, store, night, datetime.now(UTC))
    print_lines(done, night, time.perf_counter() - began)


STEPS: dict[str, Callable[[Settings, Warehouse, ObjectStore, date], None]] = {
    "box_scores": _box_scores, "schedule": _schedule, "injuries": _injuries, "lines": _lines}


def fetch_night(s: Settings, night: date) -> list[str]:
    """Fetch the configured feeds for ``night``; the feeds that failed."""
    from ingest import fetchers
    from ingest.http import FeedError

    fetched, skipped = fetchers.planned(s)
    for skip in skipped:
        console.print(f"{skip.feed}: not fetched ({skip.reason})", highlight=False)
    if not fetched:
        return []
    console.print(f"{night}: fetching {', '.join(fetched)}", highlight=False)
    wh, store, failed = warehouse(s), bootstrap.build_store(s), []
    try:
        for feed in fetched:
            try:
                STEPS[feed](s, wh, store, night)
            except FeedError as exc:
                print_error(str(exc))
                failed.append(feed)
            except fetchers.NotConfigured as exc:
                print_error(f"{feed}: {exc}")
                failed.append(feed)
    finally:
        close = getattr(wh, "close", None)   # the embedded warehouse has one writer: the night opens it next
        if close is not None:
            close()
    return failed
