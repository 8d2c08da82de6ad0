"""`predict-range` (one batch per game date through the coordinator/worker path) and
`evaluate` (predictions against what happened, with the naive baselines)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Literal, Optional

import pandas as pd
import typer
from rich.table import Table

from bin.cli.common import (
    WORK_FAILED,
    Prop,
    console,
    fail,
    output_dir,
    parse_date,
    parse_range,
    print_notices,
    progress_bar,
    read_only_warehouse,
    refusal,
    settings,
    warehouse,
)
from shared import bootstrap, schedule, tables

Availability = Literal["report", "realised", "none"]   # shared/availability.py's sources


def predict_range_command(start: str = typer.Option(..., "--start", help="first game date"),
                          end: str = typer.Option(..., "--end", help="last game date"),
                          force: bool = typer.Option(False, "--force", help="new batches for dates that have one"),
                          availability: Availability = typer.Option(
                              "report", "--availability", help=(
                                  "tonight's availability columns from: report (the stored injury report where "
                                  "there is one, else none), realised (rotation players who did not play: reads "
                                  "each date's box scores, a backtest only), none (unknown)"))):
    """Run the coordinator/worker path for every game date in the range, one batch per date.
    A batch of the range left unfinished (a killed earlier run) is repaired before success is said."""
    from bin.stack import inline
    from coordinator.recovery import repair
    from coordinator.requests import StartRequest
    from coordinator.service import start as start_batch
    from coordinator.service import status_for_date

    d1, d2 = parse_range(start, end)
    s = settings()
    wh = warehouse(s)
    wh.ensure_tables()
    store = bootstrap.build_store(s)
    dates = sorted({d.date() for d in wh.read(tables.ML_FEATURE_STORE.fqn, d1, d2, columns=["game_date"])
                    ["game_date"]})
    games = game_dates(wh, d1, d2)
    backfill = f"`bin/pipeline backfill --start {d1} --end {d2}`"
    if not dates and not games:
        fail(f"no games between {d1} and {d2} in the imported box scores or schedule: nothing to predict "
             f"({box_score_span(wh)})")
    if not dates:
        fail(f"no feature-store rows for the {len(games)} game date(s) between {d1} and {d2}: run {backfill} first")
    unready = sorted(games - set(dates))
    if unready:
        listed = ", ".join(map(str, unready[:5])) + (", ..." if len(unready) > 5 else "")
        console.print(f"note: {len(unready)} game date(s) of the range have no feature-store rows and are not "
                      f"predicted ({listed}); {backfill} computes them", highlight=False, soft_wrap=True)
    chain = inline(s, wh, store)
    began, new, existing, repaired, unfinished = time.perf_counter(), 0, 0, [], []
    with progress_bar("predict-range: game dates") as report:
        report(0, len(dates))
        for i, d in enumerate(dates, 1):
            code, answer = start_batch(chain.coordinator, StartRequest(game_date=d, force=force,
                                                                       availability=availability), d, backtest=True)
            new, existing = new + (code == 202), existing + (code == 200)
            if code == 200 and answer.get("state") != "finished":
                # the inline chain is synchronous: a re-published player is predicted before this returns
                repaired.append(f"{d} ({repair(chain.coordinator, answer['batch_id'])})")
            if (status_for_date(chain.coordinator, d) or {}).get("state") != "finished":
                unfinished.append(str(d))
            report(i, len(dates))
    rows = sum(m.rows for m in chain.completed)
    console.print(f"predict-range {d1}..{d2}: {len(dates)} game dates, {new} new batches, {existing} already had "
                  f"one, {rows:,} prediction rows in {time.perf_counter() - began:.1f}s", highlight=False)
    if repaired:
        console.print(f"repaired {len(repaired)} unfinished batch(es): {', '.join(repaired)}", highlight=False)
    print_notices()
    if unfinished:
        fail(f"{len(unfinished)} batch(es) still unfinished ({', '.join(unfinished[:10])}): another process holds "
             "their consolidation; `bin/pipeline batches --state running` shows them, rerun once it lets go",
             WORK_FAILED)


def game_dates(wh, d1, d2) -> set:
    """Dates with games in the range: played (box scores) or to be played (the schedule)."""
    played = wh.read(tables.TEAM_GAME_SUMMARY.fqn, d1, d2, columns=["game_date"])["game_date"]
    planned = schedule.playable(wh.read(tables.SCHEDULE.fqn, d1, d2, columns=["game_date", "status"]))["game_date"]
    return {d.date() for d in [*played, *planned]}


def box_score_span(wh) -> str:
    span = wh.query(f"SELECT MIN(game_date) AS first, MAX(game_date) AS last FROM {tables.TEAM_GAME_SUMMARY.fqn}")
    first, last = span["first"].iloc[0], span["last"].iloc[0]
    if first is None or first != first:
        return "no box scores are imported: `bin/pipeline import FILE` loads them"
    return f"the imported box scores cover {pd.Timestamp(first).date()}..{pd.Timestamp(last).date()}"


def evaluate_command(start: str = typer.Option(..., "--start", help="first game date"),
                     end: str = typer.Option(..., "--end", help="last game date"),
                     out: Optional[Path] = typer.Option(None, "--out", metavar="DIR",
                                                        help="folder for report.md and the plots (created)"),
                     walk: bool = typer.Option(False, "--walk-forward", help=(
                         "replay the range as production runs: retrain before every period (rolling window, "
                         "validation gate) and predict it; frozen and walk-forward MAE side by side")),
                     every: int = typer.Option(7, "--retrain-every", min=1, metavar="DAYS",
                                               help="with --walk-forward: days between retrains"),
                     prop: Prop = typer.Option("points", "--prop", help="with --walk-forward: the prop")):
    """Join predictions to actual box scores; MAE etc. per system and prop, with baselines."""
    from bin.cli.evaluation_tables import print_evaluation
    from modeling.evaluation import evaluate
    from modeling.report import write_report

    d1, d2 = parse_range(start, end)
    if out is not None:
        output_dir(out)
    if walk:
        return _walk_forward(d1, d2, every, prop, out)
    s = settings()
    try:
        result = evaluate(read_only_warehouse(s), d1, d2)
    except ValueError as exc:
        fail(refusal(exc))
    print_evaluation(result)
    if out is not None:
        written = write_report(result, out)
        console.print(f"report: {written}")


def _walk_forward(d1, d2, every: int, prop: str, out: Path | None) -> None:
    from modeling.walkforward import as_frame, walk_forward

    s = settings()
    began = time.perf_counter()
    try:
        with progress_bar(f"walk-forward {prop}: retrains (every {every} days, each system)") as report:
            result = walk_forward(read_only_warehouse(s), bootstrap.build_store(s), d1, d2, prop, every,
                                  progress=report)
    except ValueError as exc:
        fail(refusal(exc))
    frame = as_frame(result)
    table = Table("system", "rows", "frozen MAE", "walk-forward MAE", "retrains", "promoted", "training s",
                  title=f"{prop} {d1}..{d2}: frozen (today's champion) vs retrained every {every} days")
    for r in frame.itertuples():
        table.add_row(r.system, f"{r.rows:,}", f"{r.frozen_mae:.3f}", f"{r.walk_forward_mae:.3f}", str(r.retrains),
                      str(r.promoted), f"{r.train_seconds:.0f}")
    console.print(table)
    console.print(f"walk-forward over {len(result.periods)} periods in {time.perf_counter() - began:.0f}s",
                  highlight=False)
    if out is not None:
        frame.to_csv(out / "walk_forward.csv", index=False)
        import json

        (out / "walk_forward_periods.json").write_text(json.dumps(result.periods, indent=1))
        console.print(f"written: {out / 'walk_forward.csv'}, {out / 'walk_forward_periods.json'}")


def grade_command(day: Optional[str] = typer.Option(None, "--date", help="one game date (or give --start and --end)"),
                  start: Optional[str] = typer.Option(None, "--start", help="first game date"),
                  end: Optional[str] = typer.Option(None, "--end", help="last game date")):
    """Grade predictions against the imported box scores (per prediction, and per day and system)."""
    from modeling.grading import grade

    if day and not (start or end):
        d1 = d2 = parse_date(day, "--date")
    elif start and end and not day:
        d1, d2 = parse_range(start, end)
    else:
        fail("give --date D, or --start D1 and --end D2")
    s = settings()
    wh = warehouse(s)
    wh.ensure_tables()
    with progress_bar("grade: dates written") as report:
        result = grade(wh, d1, d2, progress=report)
    if result.dates_graded:
        summary = wh.query("SELECT system, prop, SUM(n) AS n, SUM(mae * n) / SUM(n) AS mae, "
                           f"SUM(interval_coverage * n) / SUM(n) AS coverage FROM {tables.DAILY_ACCURACY.fqn} "
                           "WHERE game_date BETWEEN @a AND @b GROUP BY system, prop ORDER BY mae",
                           {"a": d1, "b": d2})
        table = Table("system", "prop", "graded", "MAE", "p10-p90 coverage")
        for r in summary.itertuples():
            table.add_row(r.system, r.prop, f"{int(r.n):,}", f"{r.mae:.3f}", f"{r.coverage:.1%}")
        console.print(table)
    waiting = f"; no box scores yet for {', '.join(map(str, result.dates_without_results))}" \
        if result.dates_without_results else ""
    news = f" ({result.versions_graded:,} on a version news made before tip-off)" if result.versions_graded else ""
    console.print(f"graded {len(result.dates_graded)} date(s), {result.rows:,} predictions{news}{waiting}; each on "
                  "the last version made before its tip-off", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("grade")(grade_command)
    app.command("predict-range")(predict_range_command)
    app.command("evaluate")(evaluate_command)
