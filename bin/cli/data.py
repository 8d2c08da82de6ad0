"""Commands that load and inspect the analytics tables."""
from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from bin.cli.common import console, fail, progress_bar, read_only_warehouse, settings, warehouse
from ingest.importer import ImportValidationError, load_files, write_players
from shared import tables


def import_command(files: list[Path] = typer.Argument(..., metavar="FILE",
                                                     help="box-score CSV files (.csv or .csv.gz)")) -> None:
    """Import box-score files into the analytics tables (all or nothing, idempotent)."""
    folders = [str(f) for f in files if f.is_dir()]
    if folders:
        fail(f"{', '.join(folders)}: a directory; give the CSV files in it (e.g. {folders[0]}/*.csv.gz)")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)} (relative paths start from {Path.cwd()})")
    s = settings()
    started = time.perf_counter()
    try:
        with progress_bar("import: files read and validated") as report:
            report(0, len(files))
            seen: list[Path] = []

            def read_one(f: Path) -> None:
                seen.append(f)
                report(len(seen), len(files))

            players = load_files(files, progress=read_one)
    except ImportValidationError as exc:
        fail(str(exc))
    result = write_players(warehouse(s), players, len(files))   # opened only once the files are known good
    console.print(
        f"imported {result.files} file(s): {result.player_rows} player-games, {result.did_not_play} did-not-play, "
        f"{result.team_rows} team-games, {result.games} games, {result.first_date}..{result.last_date} "
        f"in {time.perf_counter() - started:.1f}s")


def counts_command() -> None:
    """Print the row count of every warehouse table."""
    s = settings()
    wh = read_only_warehouse(s)
    table = Table("table", "rows")
    total = 0
    for fqn in sorted(tables.CATALOG):
        n = wh.count(fqn)
        total += n
        table.add_row(fqn, f"{n:,}")
    console.print(table)
    console.print(f"{len(tables.CATALOG)} tables, {total:,} rows in the {s.backend} warehouse")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("counts")(counts_command)
