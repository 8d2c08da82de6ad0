"""Tonight's inputs: `import-schedule`, `fetch-schedule`, `import-injuries`, `import-lines`."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Optional

import typer

from bin.cli.common import WORK_FAILED, console, fail, print_unmatched, settings, warehouse
from ingest.importer.layouts import ImportValidationError


def _existing(path: Path) -> Path:
    if path.is_dir():
        fail(f"{path}: a directory; give the file in it")
    if not path.is_file():
        fail(f"no such file: {path} (relative paths start from {Path.cwd()})")
    return path


def import_schedule_command(files: list[Path] = typer.Argument(..., metavar="FILE", help=(
        "the league's season schedule feed (scheduleLeagueV2 JSON) or a CSV with game_id, game_date, "
        "tipoff_et, home, away, neutral"))) -> None:
    """Import the league schedule: games to predict before their box scores exist (idempotent)."""
    from ingest.importer.schedule import read_schedule, write_schedule
    from ingest.runs import schedule_summary

    parsed = []
    for path in files:
        try:
            parsed.append(read_schedule(_existing(path)))
        except ImportValidationError as exc:
            fail(str(exc))
    wh = warehouse(settings())
    for path, schedule in zip(files, parsed, strict=True):
        console.print(schedule_summary(path, write_schedule(wh, schedule), schedule), highlight=False)


def fetch_schedule_command(out: Optional[Path] = typer.Option(
        None, "--out", metavar="FILE", help="also keep the downloaded feed here")) -> None:
    """Download the league's schedule feed (PIPELINE_SCHEDULE_URL) and import it; the response is
    kept raw in the object store (raw/schedule/...)."""
    from bin.cli.common import output_file
    from ingest import runs
    from ingest.http import FeedError
    from ingest.schedule import ScheduleFetch
    from shared import bootstrap

    s = settings()
    target = output_file(out) if out else None
    wh, store = warehouse(s), bootstrap.build_store(s)
    try:
        done = runs.schedule_of_season(s, wh, store, datetime.now(UTC))
    except FeedError as exc:
        fail(str(exc), WORK_FAILED)
    if target is not None:
        assert isinstance(done.result, ScheduleFetch)   # what schedule_of_season keeps as its result
        target.write_bytes(store.read(done.result.raw_key).data)
    for line in done.said:
        console.print(line, highlight=False)


def import_injuries_command(
        file: Path = typer.Argument(..., metavar="FILE", help=(
            "the official injury report's table (Game Date, Game Time, Matchup, Team, Player Name, Current "
            "Status, Reason) or a CSV with status, as_of and player_id or player_name + team")),
        as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATETIME", help=(
            "when the report was published (ISO 8601, ET unless a zone is given); default: from the league's "
            "file name, e.g. Injury-Report_2024-01-15_05PM"))) -> None:
    """Import an injury report: Out players are not predicted, others carry their status."""
    from ingest.importer.injuries import import_injuries
    from ingest.importer.limits import date_problem
    from ingest.importer.slate_inputs import instant

    when = None
    if as_of is not None:
        when = instant(as_of)
        if when is None:
            fail(f"--as-of {as_of!r} is not a date and time (ISO 8601, e.g. 2024-01-15T17:30)")
        if date_problem(when):
            fail(f"--as-of {as_of!r} is {date_problem(when)}")
    s = settings()
    try:
        result = import_injuries(warehouse(s), _existing(file), when)
    except ImportValidationError as exc:
        fail(str(exc))
    console.print(f"{file}: {result.rows} players listed ({result.out} out) in {result.reports} report(s)",
                  highlight=False)
    print_unmatched(result.unmatched)


def import_lines_command(files: list[Path] = typer.Argument(..., metavar="FILE", help=(
        "player-prop odds: the odds API's event odds (JSON) or a CSV with player_name, team, prop, line, "
        "over_price, under_price, book, as_of"))) -> None:
    """Import sportsbook lines: a batch uses the latest line per player and prop before it starts."""
    from ingest.importer.lines import import_lines

    s = settings()
    for path in files:
        _existing(path)
    wh = warehouse(s)
    for path in files:
        try:
            result = import_lines(wh, path)
        except ImportValidationError as exc:
            fail(str(exc))
        skipped = ("; markets not imported: " + ", ".join(f"{k} x{n}" for k, n in result.skipped_markets.items())
                   if result.skipped_markets else "")
        console.print(f"{path}: {result.rows} lines for {result.players} players from {result.books} book(s)"
                      f"{skipped}", highlight=False)
        print_unmatched(result.unmatched)


def register(app: typer.Typer) -> None:
    app.command("import-schedule")(import_schedule_command)
    app.command("fetch-schedule")(fetch_schedule_command)
    app.command("import-injuries")(import_injuries_command)
    app.command("import-lines")(import_lines_command)
