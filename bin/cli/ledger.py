"""`ledger`: do the calls pay? Every OVER/UNDER call of a system graded at the line and price
it was made with (shared/ledger.py), totals per prop, book, edge bucket and month, and one
CSV row per call."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.table import Table

from bin.cli.common import System, console, output_file, parse_range, read_only_warehouse, settings
from shared import bootstrap, ledger, ledger_source, spreadsheet


def ledger_command(start: str = typer.Option(..., "--start", help="first game date"),
                   end: str = typer.Option(..., "--end", help="last game date"),
                   system: System = typer.Option(ledger_source.DEFAULT_SYSTEM, "--system",
                                                 help="whose calls (default: the served system, ensemble)"),
                   out: Optional[Path] = typer.Option(None, "--out", metavar="FILE",
                                                      help="CSV file, one row per call (replaced)")) -> None:
    """Grade every OVER/UNDER call at its line and price (1 unit flat): wins, losses, pushes,
    units, ROI and closing-line value per prop, book, edge bucket and month."""
    d1, d2 = parse_range(start, end)
    if out is not None:
        output_file(out)
    s = settings()
    rows = ledger_source.read(read_only_warehouse(s), bootstrap.build_store(s), d1, d2, system)
    span = f"{system}, {d1}..{d2}"
    if rows.empty:
        console.print(f"no OVER/UNDER calls of {span}: calls need lines (`import-lines` or `fetch-lines` before "
                      "the batch)", highlight=False)
    else:
        print_totals(rows, span)
    if out is not None:
        write_csv(rows, out)
        console.print(f"wrote {len(rows):,} calls to {out}", highlight=False)


def print_totals(rows: pd.DataFrame, span: str) -> None:
    whole = ledger.totals(rows).iloc[0]
    console.print(f"{span}: {len(rows):,} calls, {whole['bets']:,} settled, {_units(whole['units'])} units, "
                  f"ROI {_pct(whole['roi'])}, mean CLV {_num(whole['clv_points'])} points; "
                  f"{whole['void']} void (did not play), {whole['pending']} pending (no box scores yet)",
                  highlight=False, soft_wrap=True)
    for label, column in ledger.GROUPS.items():
        table = Table(label, "bets", "wins", "losses", "pushes", "units", "ROI", "CLV points", "CLV no-vig",
                      title=f"calls by {label}, {span}")
        for r in ledger.totals(rows, column).itertuples(index=False):
            table.add_row(str(r[0]), f"{r.bets:,}", f"{r.wins:,}", f"{r.losses:,}", f"{r.pushes:,}", _units(r.units),
                          _pct(r.roi), _num(r.clv_points), _pct(r.clv_prob, signed=True))
        console.print(table)


def write_csv(rows: pd.DataFrame, out: Path) -> None:
    frame = rows.copy()
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.strftime("%Y-%m-%d")
    for column in ("decided_at", "closing_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    spreadsheet.text_cells(frame).to_csv(out, index=False, float_format="%.10g")


def _pct(value, signed: bool = False) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def _num(value) -> str:
    return "-" if value is None or value != value else f"{value:+.2f}"


def _units(value) -> str:
    return f"{value:+.2f}"


def register(app: typer.Typer) -> None:
    app.command("ledger")(ledger_command)
