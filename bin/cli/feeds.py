"""The public feeds: `fetch-box-scores`, `fetch-injuries`, `fetch-lines`, `replay-raw`, `feeds`
(`fetch-schedule` is with the schedule's other command, in slate.py).
Each fetch keeps the raw responses, imports through the file importers and leaves a
freshness record (docs/INGEST.md). A source that is down or answers something else is one
line naming the feed, URL and status or field, exit 1, and nothing written."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, Optional

import typer
from rich.table import Table
from rich.text import Text

from bin.cli.common import (
    WORK_FAILED,
    console,
    fail,
    parse_date,
    parse_range,
    print_unmatched,
    settings,
    warehouse,
)
from shared import bootstrap, freshness

Replayable = Literal["box_scores", "schedule", "injuries", "lines"]


def _now() -> datetime:
    return datetime.now(UTC)


def _fetched(run, wh=None) -> None:
    """Run one fetch as a command: its lines on stdout, names matching nobody on stderr; a
    source that failed exits 1, a fetch that could not start exits 2. ``wh`` is closed after
    (the embedded warehouse has one writer: the refresh opens it next)."""
    from ingest.http import FeedError
    from ingest.runs import NotFetched

    try:
        done = run()
    except NotFetched as exc:
        fail(str(exc))
    except FeedError as exc:
        fail(str(exc), WORK_FAILED)
    finally:
        close = getattr(wh, "close", None)
        if close is not None:
            close()
    for line in done.said:
        console.print(line, highlight=False)
    print_unmatched(done.unmatched)


def _news_after(night, when: datetime | None) -> None:
    """A new report or line snapshot brings the night's predictions up to date (docs/NEWS.md);
    said only when something changed."""
    from bin.cli.news import refresh_night
    from shared.timetable import EASTERN

    now = when or datetime.now(EASTERN)
    for line in refresh_night(night or now.astimezone(EASTERN).date(), now, quiet=True):
        console.print(line, highlight=False, soft_wrap=True)


UNTIL_LAST_TIP = typer.Option(False, "--until-last-tip", help=(
    "do nothing (exit 0) unless a game of the night is still to tip off: for a timer that runs all day"))


def fetch_box_scores_command(
        day: Optional[str] = typer.Option(None, "--date", help="one game date (YYYY-MM-DD, today, yesterday)"),
        start: Optional[str] = typer.Option(None, "--start", help="first game date of a range (with --end)"),
        end: Optional[str] = typer.Option(None, "--end", help="last game date of a range (with --start)")) -> None:
    """Fetch box scores from the league stats API (PIPELINE_STATS_URL) and import them. Default:
    from the day after the last stored game through yesterday (ET)."""
    from ingest import runs

    if day is not None and (start is not None or end is not None):
        fail("give --date, or --start and --end, not both")
    if (start is None) != (end is None):
        fail("--start and --end go together (a range of game dates)")
    first = last = None
    if day is not None:
        first = last = parse_date(day, "--date")
    elif start is not None:
        first, last = parse_range(start, end)
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    _fetched(lambda: runs.box_scores(s, wh, store, _now(), first, last))


def fetch_injuries_command(
        day: Optional[str] = typer.Option(None, "--date", help=(
            "the night the report is for (default: today, ET); for a past night, the last report before its "
            "first tip-off")),
        at: Optional[str] = typer.Option(None, "--at", metavar="DATETIME", help=(
            "take the newest report published at or before this time (ISO 8601, ET unless a zone is given; "
            "default: now)")),
        until_last_tip: bool = UNTIL_LAST_TIP) -> None:
    """Fetch the league's official injury report (PIPELINE_INJURY_URL), the newest published, and
    import it: Out players are not predicted."""
    from ingest import runs
    from ingest.importer.slate_inputs import instant

    when = None
    if at is not None:
        stamp = instant(at)
        if stamp is None:
            fail(f"--at {at!r} is not a date and time (ISO 8601, e.g. 2024-01-15T17:30; ET unless a zone is given)")
        when = stamp.to_pydatetime()
    night = parse_date(day, "--date") if day is not None else None
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    _fetched(lambda: runs.injuries(s, wh, store, _now(), night, when, until_last_tip), wh)
    _news_after(night, when)


def fetch_lines_command(day: Optional[str] = typer.Option(
        None, "--date", help="the night whose games' lines to fetch (default: today, ET)"),
        until_last_tip: bool = UNTIL_LAST_TIP) -> None:
    """Fetch the night's player-prop lines from the odds API v4 (PIPELINE_ODDS_URL, key ODDS_API_KEY):
    every book, a timestamped snapshot each time."""
    from ingest import runs

    night = parse_date(day, "--date") if day is not None else None
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    _fetched(lambda: runs.lines(s, wh, store, _now(), night, until_last_tip), wh)
    _news_after(night, None)


def replay_raw_command(
        feed: Replayable = typer.Option(..., "--feed", help="the feed whose stored responses to read again"),
        day: str = typer.Option(..., "--date", help="the night they were fetched for (YYYY-MM-DD)")) -> None:
    """Read a feed's stored raw responses for a night again (after a parser fix) and import them,
    oldest fetch first. Nothing is requested from the source."""
    from ingest import raw
    from ingest.http import FeedError
    from ingest.replay import replay

    night = parse_date(day, "--date")
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    try:
        done = replay(wh, store, feed, night)
    except FeedError as exc:
        fail(str(exc), WORK_FAILED)
    if not done:
        fail(f"nothing stored under {raw.prefix(feed, night)}: fetch it first (bin/pipeline fetch-"
             f"{feed.replace('_', '-')} --date {night})")
    for run in done:
        console.print(f"{feed} {night} fetched {run.fetched_at}: {run.responses} response(s), {run.rows} rows",
                      highlight=False)


def feeds_command() -> None:
    """Each feed's freshness: its state (ok, stale, failing or never fetched), last success, its
    age, rows it wrote, last error. Stale: the last success is older than the feed's cadence
    allows (printed under the table)."""
    s = settings()
    now = _now()
    table = Table("feed", "state", "last success", "age", "rows", "covers", "last error")
    for status in freshness.read_all(bootstrap.build_store(s)):
        age, state = status.age(now), status.state(now)
        error = (f"{status.last_error_at:%Y-%m-%d %H:%M}Z {status.last_error}" if status.failing else "")
        table.add_row(status.feed, Text(state, style="red") if status.degraded(now) else state,
                      f"{status.last_success_at:%Y-%m-%d %H:%M}Z" if status.last_success_at else "never",
                      freshness.age_text(age) if age is not None else "-",
                      "-" if status.rows is None else f"{status.rows:,}",
                      status.covers or "", Text(error, style="red") if error else "")
    console.print(table)
    console.print(f"stale after {freshness.limits_text()} without a success; failing: the last attempt failed",
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.command("fetch-box-scores")(fetch_box_scores_command)
    app.command("fetch-injuries")(fetch_injuries_command)
    app.command("fetch-lines")(fetch_lines_command)
    app.command("replay-raw")(replay_raw_command)
    app.command("feeds")(feeds_command)
