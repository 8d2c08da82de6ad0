"""The public feeds: `fetch-box-scores`, `fetch-injuries`, `fetch-lines`, `replay-raw`, `feeds`
(`fetch-schedule` is with the schedule's other command, in slate.py).
Each fetch keeps the raw responses, imports through the file importers and leaves a
freshness record (docs/INGEST.md). A source that is down or answers something else is one
line naming the feed, URL and status or field, exit 1, and nothing written."""
from __future__ import annotations

import contextlib
import time
from datetime import UTC, date, datetime
from typing import Literal, Optional
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from bin.cli.common import WORK_FAILED, console, err_console, fail, parse_date, parse_range, settings, warehouse
from shared import bootstrap, freshness

EASTERN = ZoneInfo("America/New_York")
Replayable = Literal["box_scores", "schedule", "injuries", "lines"]


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(EASTERN).date()


def fetch_box_scores_command(
        day: Optional[str] = typer.Option(None, "--date", help="one game date (YYYY-MM-DD, today, yesterday)"),
        start: Optional[str] = typer.Option(None, "--start", help="first game date of a range (with --end)"),
        end: Optional[str] = typer.Option(None, "--end", help="last game date of a range (with --start)")) -> None:
    """Fetch box scores from the league stats API (PIPELINE_STATS_URL) and import them. Default:
    from the day after the last stored game through yesterday (ET)."""
    from ingest import fetchers

    if day is not None and (start is not None or end is not None):
        fail("give --date, or --start and --end, not both")
    if (start is None) != (end is None):
        fail("--start and --end go together (a range of game dates)")
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    if day is not None:
        first = last = parse_date(day, "--date")
    elif start is not None:
        first, last = parse_range(start, end)
    else:
        try:
            found = fetchers.box_scores_range_before(wh, _today())
        except fetchers.NotConfigured as exc:
            fail(str(exc))
        if isinstance(found, fetchers.Skipped):
            console.print(f"box scores: {found.reason}", highlight=False)
            return
        first, last = found
    began = time.perf_counter()
    with feed_failure_exits():
        done = fetchers.box_scores(s, wh, store, first, last, _now())
    print_box_scores(done, first, last, time.perf_counter() - began)


def print_box_scores(done, first: date, last: date, seconds: float) -> None:
    r = done.result
    console.print(f"box scores {first}..{last}: {r.player_rows} player-games, {r.team_rows} team-games, {r.games} "
                  f"games from {done.requests} request(s) in {seconds:.1f}s; raw responses under "
                  f"raw/box_scores/{last}/", highlight=False)


def fetch_injuries_command(
        day: Optional[str] = typer.Option(None, "--date", help=(
            "the night the report is for (default: today, ET); for a past night, the last report before its "
            "first tip-off")),
        at: Optional[str] = typer.Option(None, "--at", metavar="DATETIME", help=(
            "take the newest report published at or before this time (ISO 8601, ET unless a zone is given; "
            "default: now)"))) -> None:
    """Fetch the league's official injury report (PIPELINE_INJURY_URL), the newest published, and
    import it: Out players are not predicted."""
    from ingest import fetchers
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
    with feed_failure_exits():
        done = fetchers.injuries(s, wh, store, night, when, _now())
    print_injuries(done)


def print_injuries(done) -> None:
    console.print(f"{done.report}: {done.rows} players listed ({done.out} out), as of "
                  f"{done.as_of.tz_convert(EASTERN):%Y-%m-%d %H:%M} ET ({done.slots_tried} slot(s) asked)",
                  highlight=False)
    if done.not_submitted:
        console.print(f"not yet submitted: {', '.join(done.not_submitted)}", highlight=False)
    _unmatched(done.unmatched)


def fetch_lines_command(day: Optional[str] = typer.Option(
        None, "--date", help="the night whose games' lines to fetch (default: today, ET)")) -> None:
    """Fetch the night's player-prop lines from the odds API v4 (PIPELINE_ODDS_URL, key ODDS_API_KEY):
    every book, a timestamped snapshot each time."""
    from ingest import fetchers

    night = parse_date(day, "--date") if day is not None else _today()
    s = settings()
    try:
        fetchers.odds_api_key(s)
    except fetchers.NotConfigured as exc:
        fail(str(exc))
    wh, store = warehouse(s), bootstrap.build_store(s)
    began = time.perf_counter()
    with feed_failure_exits():
        done = fetchers.lines(s, wh, store, night, _now())
    print_lines(done, night, time.perf_counter() - began)


def print_lines(done, night: date, seconds: float) -> None:
    quota = f"; {done.requests_remaining} requests left on the key" if done.requests_remaining is not None else ""
    console.print(f"lines for {night}: {done.rows} lines for {done.players} players from {done.books} book(s), "
                  f"{done.events} event(s) in {seconds:.1f}s{quota}", highlight=False)
    _unmatched(done.unmatched)


@contextlib.contextmanager
def feed_failure_exits():
    """A source that failed: its one line, exit 1 (the freshness record already says so)."""
    from ingest.http import FeedError

    try:
        yield
    except FeedError as exc:
        fail(str(exc), WORK_FAILED)


def replay_raw_command(
        feed: Replayable = typer.Option(..., "--feed", help="the feed whose stored responses to read again"),
        day: str = typer.Option(..., "--date", help="the night they were fetched for (YYYY-MM-DD)")) -> None:
    """Read a feed's stored raw responses for a night again (after a parser fix) and import them,
    oldest fetch first. Nothing is requested from the source."""
    from ingest import raw
    from ingest.replay import replay

    night = parse_date(day, "--date")
    s = settings()
    wh, store = warehouse(s), bootstrap.build_store(s)
    with feed_failure_exits():
        done = replay(wh, store, feed, night)
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


def _unmatched(names: list[str]) -> None:
    if names:
        err_console.print(f"warning: {len(names)} name(s) match no player in the box scores (kept, not used): "
                          f"{', '.join(names[:30])}{' ...' if len(names) > 30 else ''}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("fetch-box-scores")(fetch_box_scores_command)
    app.command("fetch-injuries")(fetch_injuries_command)
    app.command("fetch-lines")(fetch_lines_command)
    app.command("replay-raw")(replay_raw_command)
    app.command("feeds")(feeds_command)
