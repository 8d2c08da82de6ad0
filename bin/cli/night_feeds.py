"""`daily`'s first step: fetch what is configured for the night (ingest/runs.py `planned`: the
feeds in PIPELINE_FEEDS, lines only with ODDS_API_KEY) in the night's order, each through the
call its fetch command makes and said as that command says it. A feed that fails is one line
(feed, URL, status or field; its freshness record says the same) and the night goes on with
what is stored; the caller exits 1 at the end so cron notices."""
from __future__ import annotations

from datetime import UTC, date, datetime

from bin.cli.common import console, print_error, print_unmatched, warehouse
from shared import bootstrap
from shared.config import Settings


def _fetch(feed: str, s: Settings, wh, store, night: date):
    from ingest import runs

    now = datetime.now(UTC)
    if feed == "box_scores":
        return runs.box_scores(s, wh, store, now, night=night)
    if feed == "schedule":
        return runs.schedule_of_season(s, wh, store, now)
    if feed == "injuries":
        return runs.injuries(s, wh, store, now, night)
    return runs.lines(s, wh, store, now, night)


def fetch_night(s: Settings, night: date) -> list[str]:
    """Fetch the configured feeds for ``night``; the feeds that failed."""
    from ingest import runs
    from ingest.http import FeedError

    fetched, skipped = runs.planned(s)
    for skip in skipped:
        console.print(f"{skip.feed}: not fetched ({skip.reason})", highlight=False)
    if not fetched:
        return []
    console.print(f"{night}: fetching {', '.join(fetched)}", highlight=False)
    wh, store, failed = warehouse(s), bootstrap.build_store(s), []
    try:
        for feed in fetched:
            try:
                done = _fetch(feed, s, wh, store, night)
            except FeedError as exc:
                print_error(str(exc))
                failed.append(feed)
                continue
            except runs.NotFetched as exc:
                print_error(f"{feed}: {exc}")
                failed.append(feed)
                continue
            for line in done.said:
                console.print(line, highlight=False)
            print_unmatched(done.unmatched)
    finally:
        close = getattr(wh, "close", None)   # the embedded warehouse has one writer: the night opens it next
        if close is not None:
            close()
    return failed
