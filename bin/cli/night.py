"""`run` and `daily`: one night of the chain on one machine, from grading yesterday to
tonight's predictions, with a summary a person can read."""
from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import typer
from rich.table import Table

from bin.cli.common import (
    WORK_FAILED,
    console,
    fail,
    parse_date,
    print_error,
    print_notices,
    print_unmatched,
    progress_bar,
    settings,
    warehouse,
)
from bin.cli.processing import ALLOW_STALE_HELP
from bin.night_workflow import Night, on_demand
from shared import tables
from shared.catalogue import PROP_NAMES
from shared.config import Settings
from shared.timetable import EASTERN

TIMEOUT_HELP = "give up waiting for the batch after this long"


def run_command(day: str = typer.Option(..., "--date", help="game date YYYY-MM-DD"),
                force: bool = typer.Option(False, "--force", help="start a new batch even if the date has one"),
                timeout_s: int = typer.Option(600, "--timeout-seconds", min=1, help=TIMEOUT_HELP),
                allow_stale: bool = typer.Option(False, "--allow-stale", help=ALLOW_STALE_HELP)) -> None:
    """The autonomous nightly chain on one machine: processors -> orchestrator -> coordinator
    -> workers -> consolidated predictions."""
    _night(parse_date(day, "--date"), force, timeout_s, quiet_without_games=False, allow_stale=allow_stale)


def daily_command(day: str = typer.Option("today", "--date", help="the night to run (default: today, ET)"),
                  timeout_s: int = typer.Option(1800, "--timeout-seconds", min=1, help=TIMEOUT_HELP),
                  no_fetch: bool = typer.Option(False, "--no-fetch", help="fetch nothing: run on what is stored"),
                  allow_stale: bool = typer.Option(False, "--allow-stale", help=ALLOW_STALE_HELP)) -> None:
    """One night for cron: fetch the feeds in PIPELINE_FEEDS (the schedule, box scores since the last
    stored game through yesterday, the injury report, the lines when ODDS_API_KEY is set), grade
    yesterday, then, when the schedule has games, today's processors, the drift monitor and the
    batch. A feed that fails is one line and the night goes on with what is stored, then exit code 1.
    A day without games ends quietly."""
    from bin.cli.news import refresh_night

    d = parse_date(day, "--date")
    fetched = [] if no_fetch else _planned_feeds(settings(), d)
    predicted, failed = _night(d, False, timeout_s, quiet_without_games=True, allow_stale=allow_stale, feeds=fetched)
    if predicted:
        # the batch read the newest report when it started; a report that came since moves its players
        for line in refresh_night(d, datetime.now(EASTERN)):
            console.print(line, highlight=False, soft_wrap=True)
    if failed:
        fail(f"{d}: ran on what was stored; not fetched: {', '.join(failed)} (the lines above say why; "
             "bin/pipeline feeds shows each feed)", WORK_FAILED)


def _planned_feeds(s: Settings, d: date) -> list[str]:
    """The feeds the night fetches (ingest/runs.py `planned`), in the workflow's order; says which are left out."""
    from ingest import runs

    fetched, skipped = runs.planned(s)
    for skip in skipped:
        console.print(f"{skip.feed}: not fetched ({skip.reason})", highlight=False)
    ordered = [step.feed for step in on_demand(fetched) if step.feed is not None]
    if ordered:
        console.print(f"{d}: fetching {', '.join(ordered)}", highlight=False)
    return ordered


def _night(d: date, force: bool, timeout_s: int, quiet_without_games: bool, allow_stale: bool = False,
           feeds: list[str] | None = None) -> tuple[bool, list[str]]:
    """The night's on-demand steps (bin/night_workflow.py), then the batch. Whether the date has a
    finished batch at the end, and the feeds that failed."""
    from bin import stack as local
    from coordinator.recovery import repair
    from coordinator.requests import StartRequest
    from coordinator.service import start as start_batch
    from coordinator.service import status_for_date

    s = settings()
    began = time.perf_counter()
    try:
        st = local.start(s)
    except ValueError as exc:
        fail(str(exc))
    failed: list[str] = []
    try:
        already = status_for_date(st.coordinator, d)
        night = Night(s, st.warehouse, st.store, st.bus, live=False, allow_stale=allow_stale)
        for step in on_demand(feeds or ()):
            done = night.run(step, d, datetime.now(UTC))
            if done.idle and quiet_without_games:
                console.print(done.line, highlight=False, soft_wrap=True)
                return False, failed
            if done.failed and step.feed is not None:
                print_error(done.line)
                failed.append(step.feed)
                continue
            if done.failed or done.idle:
                fail(f"{done.line}; no batch started", WORK_FAILED)
            for line in done.said:
                console.print(line, highlight=False, soft_wrap=True)
            print_unmatched(done.unmatched)
        if already and already["state"] == "running" and not force:
            # a batch this command finds running was left by a run that is gone: finish it now
            # rather than wait for the stall check
            console.print(f"{d}: batch {already['batch_id']} was left unfinished; "
                          f"{repair(st.coordinator, already['batch_id'])}", highlight=False)
        if force:
            start_batch(st.coordinator, StartRequest(game_date=d, force=True), d)
        elif already and already["state"] == "finished":
            console.print(f"{d} already has finished batch {already['batch_id']}; showing it (use --force "
                          f"for a new one)")
        result = _wait(st, d, timeout_s)
    finally:
        st.stop()
    _summary(result, d, time.perf_counter() - began)
    return True, failed


def _wait(st, d: date, timeout_s: int) -> dict:
    from coordinator.service import status_for_date

    deadline = time.monotonic() + timeout_s
    with progress_bar(f"predicting {d}") as report:
        while time.monotonic() < deadline:
            found = status_for_date(st.coordinator, d)
            if found:
                report(found["completed"] + found["skipped"] + found["failed"], found["expected"])
                if found["state"] == "finished":
                    return found
            threading.Event().wait(0.1)
    fail(f"batch for {d} did not finish within {timeout_s}s: {status_for_date(st.coordinator, d)}", WORK_FAILED)


def _served_rows(wh, batch_id: str, d: date):
    """The batch's rows but the shadow systems', read the way `serve`'s reader answers (a table by
    date range) should another `serve` have taken the file since this command let it go."""
    rows = wh.read(tables.PREDICTIONS.fqn, d, d, columns=["batch_id", "shadow", "system", "prop", "model_source",
                                                          "predicted", "p10", "p90", "player_name", "team_abbr",
                                                          "opponent_abbr"])
    return rows[(rows["batch_id"] == batch_id) & ~rows["shadow"].fillna(False).astype(bool)]


def _summary(result: dict, d: date, seconds: float) -> None:
    s = settings()
    batch = _served_rows(warehouse(s, read_only=True), result["batch_id"], d)
    parts = batch.groupby(["system", "prop", "model_source"], as_index=False, dropna=False).agg(
        n=("predicted", "size"), total=("predicted", "sum"))
    table = Table("system", "prop", "predictions", "mean predicted", "model source")
    order = {p: i for i, p in enumerate(PROP_NAMES)}
    for (system, prop), g in sorted(parts.groupby(["system", "prop"]), key=lambda k: (k[0][0], order[k[0][1]])):
        sources = ", ".join(f"{src} ({int(n)})" if len(g) > 1 else src
                            for src, n in sorted(zip(g["model_source"], g["n"], strict=True), key=lambda x: -x[1]))
        table.add_row(system, prop, str(int(g["n"].sum())), f"{g['total'].sum() / g['n'].sum():.2f}", sources)
    console.print(table)
    console.print("  every rostered player is predicted, bench players included, so the mean is low\n"
                  "  model source: 'registry' = a champion you trained, 'bundled' = the model shipped with the code, "
                  "'rule' = a formula, 'fallback' = too little history, the simple forecast", highlight=False)
    rows = parts.groupby("system", as_index=False)["n"].sum()
    top = batch[(batch["system"] == "ensemble") & (batch["prop"] == "points")].nlargest(10, "predicted")
    if len(top):
        best = Table("player", "team", "opp", "points (ensemble)", "p10", "p90", title=f"top predictions {d}")
        for r in top.itertuples():
            best.add_row(r.player_name, r.team_abbr, r.opponent_abbr, f"{r.predicted:.1f}", f"{r.p10:.1f}",
                         f"{r.p90:.1f}")
        console.print(best)
        console.print("  p10/p90: the player should score below p10 one night in ten and above p90 one night in ten",
                      highlight=False)
    reasons: dict[str, int] = {}
    for reason in result["skip_reasons"].values():
        reasons[reason.split(" for player")[0]] = reasons.get(reason.split(" for player")[0], 0) + 1
    if reasons:
        console.print("skipped: " + "; ".join(f"{n} x {r}" for r, n in reasons.items()))
    console.print(f"{d}: batch {result['batch_id']} {result['state']}: {result['expected']} players, "
                  f"{result['completed']} predicted, {result['skipped']} skipped, {result['failed']} failed, "
                  f"{len(result['missing'])} missing, {int(rows['n'].sum()) if len(rows) else 0} rows in "
                  f"{seconds:.1f}s")
    print_notices()
    console.print(f"next: bin/pipeline export-predictions --start {d} --end {d} --out predictions.csv  (every row)\n"
                  "      bin/pipeline serve  (batches over HTTP, the read API, and the console at --port+4: "
                  "README, Console and read API)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("daily")(daily_command)
