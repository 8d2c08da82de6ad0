"""`refresh`: news before tip-off through the coordinator's own code (coordinator/refresh.py,
as `POST /refresh` and `serve`'s loop run it): the newest injury report before T against the one
the date's predictions last read; a newly-out player withdrawn, his team re-predicted."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import typer
from rich.table import Table

from bin.cli.common import WORK_FAILED, console, fail, parse_date, settings, warehouse
from shared import bootstrap
from shared.timetable import EASTERN, parse_instant

AT_HELP = "judge the report and the tip-offs as of this time (ISO 8601, ET unless a zone is given; default: now)"


def refresh_command(day: str = typer.Option("today", "--date", help="the night to refresh (default: today, ET)"),
                    at: Optional[str] = typer.Option(None, "--at", metavar="DATETIME", help=AT_HELP)) -> None:
    """Re-predict the players the newest injury report moved: a player newly Out has his rows
    withdrawn with the reason, his team's players get a new version (one superseding batch for
    every affected team), a game already tipped is named and left alone; lines posted since
    the rows were priced re-price them. Once per report: a second run without a newer report
    starts nothing."""
    d = parse_date(day, "--date")
    try:
        when = parse_instant(at) if at is not None else datetime.now(EASTERN)
    except ValueError as exc:
        fail(f"--at {exc}")
    said = refresh_night(d, when)
    for line in said:
        console.print(line, highlight=False, soft_wrap=True)


QUIET = ("no_batch", "no_report", "current")   # nothing happened: a fetch says nothing more


def refresh_night(d: date, when: datetime, quiet: bool = False) -> list:
    """Run the refresh: on this machine in-process (a superseding batch is predicted before
    this returns); on Google Cloud through the coordinator's POST /refresh (the batch runs on
    the services). ``quiet``: nothing to say when nothing happened."""
    s = settings()
    if s.backend == "gcp":
        from shared.coordinator_client import StartFailed, for_settings

        if not s.coordinator_url:
            fail("COORDINATOR_URL is not set: on Google Cloud refresh asks the coordinator's POST /refresh")
        try:
            done = for_settings(s).refresh({"game_date": d.isoformat(), "at": when.isoformat()})
        except StartFailed as exc:
            fail(f"refresh: {exc}", WORK_FAILED)
    else:
        done = _in_process(s, d, when)
    if quiet and done["state"] in QUIET and not done.get("repriced"):
        return []
    return [done["message"], *_changes(done)]


def _in_process(s, d: date, when: datetime) -> dict:
    from bin.stack import inline
    from coordinator.refresh import refresh

    wh = warehouse(s)
    wh.ensure_tables()
    try:
        return refresh(inline(s, wh, bootstrap.build_store(s)).coordinator, d, when)
    finally:
        wh.close()


def _changes(done: dict) -> list:
    if not done.get("changes"):
        return []
    table = Table("player", "team", "before", "now", "what happens", title=f"injury report changes {done['game_date']}")
    tipped = {g["team_abbr"] for g in done.get("tipped", [])}
    for c in done["changes"]:
        what = ("tipped: left alone" if c["team_abbr"] in tipped else
                "withdrawn" if str(c["player_id"]) in done.get("withdrawn", {}) else "team re-predicted")
        table.add_row(c["player_name"], c["team_abbr"], c["before"], c["after"], what)
    return [table]


def register(app: typer.Typer) -> None:
    app.command("refresh")(refresh_command)
