"""News before tip-off: the newest injury report before ``at`` against the report the date's
predictions last read. Each player whose status changed moves his team: a player newly Out has
his rows withdrawn with the reason, and the team's other players get a new version of their
predictions from one superseding batch (for every affected team of the report at once), with
its parent batch and the reason. A game that had tipped at ``at`` is named and left alone.
A report is handled once (coordinator/news.py)."""
from __future__ import annotations

import logging
import uuid
from datetime import date, datetime

import pandas as pd

from coordinator import news, repricing, service, slate
from shared import availability, schedule, tables, versions
from shared.batch_docs import BatchDoc
from shared.timetable import EASTERN

log = logging.getLogger(__name__)
AVAILABLE = "Available"   # what a report that does not list a player says of him
STATES = ("no_batch", "waiting", "no_report", "current", "no_change", "refreshed")


def refresh(deps: service.CoordinatorDeps, day: date, at: datetime) -> dict:
    """Bring ``day``'s served predictions up to the inputs posted by ``at``: what the newest
    report changes (at most one batch started), then the lines that moved (re-priced rows)."""
    tips = _tipoffs(deps, day)
    done = _news(deps, day, at, tips)
    if done["state"] in ("no_batch", "waiting"):
        return done
    done["repriced"] = repricing.reprice(deps.warehouse, day, at, tips, deps.call_margin)
    if done["repriced"]:
        done["message"] += f"; {done['repriced']} row(s) re-priced at lines posted since"
    return done


def _news(deps: service.CoordinatorDeps, day: date, at: datetime, tips: dict[str, datetime]) -> dict:
    pointer = deps.batches.date_pointer(day)
    root = deps.batches.batch(pointer[0].batch_id) if pointer else None
    if root is None:
        return _said(day, "no_batch", f"{day} has no batch yet: the next batch reads the newest report itself")
    handled = news.effects(deps.batches.store, day)
    # the date's batches, newest last; a report whose batch never got its document (its process
    # died after the claim) has nothing to wait for or to be the parent of
    ids = [root[0].batch_id, *(e.batch_id for e in handled if e.batch_id)]
    docs = sorted((d[0] for d in map(deps.batches.batch, ids) if d), key=lambda d: d.started_at)
    last = docs[-1].batch_id
    running = [d.batch_id for d in docs if d.state != "finished"]
    if running:
        return _said(day, "waiting", f"{day}: batch {running[-1]} is still running; the report is read once it "
                                     "finishes")
    report = _reports(deps, day, at)
    if not len(report):
        return _said(day, "no_report", f"{day}: no injury report before {_et(at)}")
    as_of = pd.Timestamp(report["as_of"].max()).to_pydatetime()
    seen = max([t for t in [root[0].inputs.injury_report_as_of, *(e.report_as_of for e in handled)] if t],
               default=None)
    if seen is not None and as_of <= seen:
        return _said(day, "current", f"{day}: the report of {_et(as_of)} was already read; nothing new")
    effect, players = _effect(deps, day, at, report, as_of, seen, last, tips)
    if not news.claim(deps.batches.store, effect):
        return _said(day, "current", f"{day}: the report of {_et(as_of)} was already handled")
    _withdraw(deps, day, effect.withdrawn)
    if effect.batch_id:
        _supersede(deps, day, at, effect, players, docs[-1])
    log.info("injury report %s for %s: %d change(s), batch %s", _et(as_of), day, len(effect.changes),
             effect.batch_id, extra={"game_date": str(day), "batch_id": effect.batch_id, "batch_event": "refresh",
                                     "changes": len(effect.changes), "tipped": len(effect.tipped)})
    return {"game_date": day.isoformat(), "state": "refreshed" if effect.batch_id or effect.withdrawn else "no_change",
            "message": _summary(effect), "repriced": 0, **effect.model_dump(mode="json", exclude={"game_date"})}


def _reports(deps: service.CoordinatorDeps, day: date, at: datetime) -> pd.DataFrame:
    rows = deps.warehouse.read(tables.INJURY_REPORT.fqn, day, day)
    rows = rows[rows["player_id"].notna()]
    return rows[rows["as_of"] <= pd.Timestamp(at)] if len(rows) else rows


def _effect(deps: service.CoordinatorDeps, day: date, at: datetime, report: pd.DataFrame, as_of: datetime,
            seen: datetime | None, parent: str, tips: dict[str, datetime]) -> tuple[news.ReportEffect, list[int]]:
    """The report's effect, and the players of the superseding batch."""
    now_rows = report[report["as_of"] == pd.Timestamp(as_of)]
    then_rows = report[report["as_of"] == pd.Timestamp(seen)] if seen is not None else report.iloc[0:0]
    then = {int(r.player_id): r.status for r in then_rows.itertuples()}
    changes = []
    for r in now_rows.itertuples():
        if then.get(int(r.player_id), AVAILABLE) != r.status:
            changes.append(news.StatusChange(player_id=int(r.player_id), player_name=str(r.player_name),
                                             team_abbr=str(r.team_abbr), before=then.get(int(r.player_id), AVAILABLE),
                                             after=r.status))
    listed_now = set(now_rows["player_id"].astype(int))
    for r in then_rows[~then_rows["player_id"].astype(int).isin(listed_now)].itertuples():
        if r.status != AVAILABLE:   # dropped from the report: available again
            changes.append(news.StatusChange(player_id=int(r.player_id), player_name=str(r.player_name),
                                             team_abbr=str(r.team_abbr), before=r.status, after=AVAILABLE))
    tipped = sorted({c.team_abbr for c in changes if c.team_abbr in tips and tips[c.team_abbr] <= at})
    teams = sorted({c.team_abbr for c in changes} - set(tipped))
    stamp = f"injury report {as_of.astimezone(EASTERN):%I:%M %p}"
    moving = [c for c in changes if c.team_abbr in teams]
    reason = f"{stamp}: " + "; ".join(f"{c.player_name} {c.after}" for c in moving) if moving else None
    withdrawn = {str(c.player_id): f"{stamp}: {c.player_name} Out" for c in moving
                 if c.after == "Out" and c.before != "Out"}
    players = _players(deps, day, teams)
    version = service.stored_version(deps.warehouse, day, players) + 1 if players else None
    return news.ReportEffect(
        game_date=day, report_as_of=as_of, report_source=_source(now_rows), checked_at=at, changes=changes,
        teams=teams, tipped=[news.TippedGame(team_abbr=t, tipoff=tips[t]) for t in tipped], withdrawn=withdrawn,
        parent_batch_id=parent, batch_id=uuid.uuid4().hex if players else None, players=len(players),
        prediction_version=version, reason=reason), players


def _players(deps: service.CoordinatorDeps, day: date, teams: list[str]) -> list[int]:
    if not teams:
        return []
    scheduled = deps.warehouse.read(tables.ML_FEATURE_STORE.fqn, day, day, columns=["player_id", "team_abbr"])
    return sorted(int(p) for p in scheduled.loc[scheduled["team_abbr"].isin(teams), "player_id"])


def _tipoffs(deps: service.CoordinatorDeps, day: date) -> dict[str, datetime]:
    tips = schedule.team_tipoffs(deps.warehouse, day, day)
    return {str(t): pd.Timestamp(tip).to_pydatetime() for t, tip in zip(tips["team_abbr"], tips["tipoff_utc"],
                                                                         strict=True)}


def _withdraw(deps: service.CoordinatorDeps, day: date, withdrawn: dict[str, str]) -> None:
    """The withdrawn players' served rows marked with the reason: one MERGE."""
    if not withdrawn:
        return
    rows = deps.warehouse.read(tables.PREDICTIONS.fqn, day, day)
    rows = versions.latest(rows[rows["player_id"].isin([int(p) for p in withdrawn])])
    reasons = rows["player_id"].astype(int).astype(str).map(withdrawn)
    deps.warehouse.merge_frame(tables.PREDICTIONS.fqn, rows.assign(withdrawn_reason=reasons))


def _supersede(deps: service.CoordinatorDeps, day: date, at: datetime, effect: news.ReportEffect,
               players: list[int], parent: BatchDoc) -> None:
    """The superseding batch: the parent's systems and props, the inputs as of ``at``."""
    if effect.batch_id is None or effect.prediction_version is None:
        return
    tonight = slate.load(deps.warehouse, day, at, None, parent.props)
    # the teammates' columns need the whole date's rows, not only the re-predicted players'
    rows = deps.warehouse.read(tables.ML_FEATURE_STORE.fqn, day, day, columns=list(availability.INPUTS))
    source, columns = slate.tonight(deps.warehouse, day, rows, tonight, "report")
    doc = service.batch_doc(effect.batch_id, day, players, tonight, deps.clock(), systems=parent.systems,
                            availability_source=source, tonight_columns=columns,
                            props=parent.props, correlation_id=uuid.uuid4().hex, subset=True,
                            prediction_version=effect.prediction_version, parent_batch_id=parent.batch_id,
                            reason=effect.reason, as_of=at)
    service.launch(deps, doc)


def _source(rows: pd.DataFrame) -> str | None:
    value = rows["source_file"].iloc[0] if len(rows) else None
    return value if isinstance(value, str) and value else None


def _summary(effect: news.ReportEffect) -> str:
    parts = [f"injury report {_et(effect.report_as_of)}: {len(effect.changes)} status change(s)"]
    if effect.batch_id:
        parts.append(f"batch {effect.batch_id} re-predicts {effect.players} players of {', '.join(effect.teams)} "
                     f"(version {effect.prediction_version})")
    if effect.withdrawn:
        parts.append(f"{len(effect.withdrawn)} withdrawn")
    parts += [f"{g.team_abbr} tipped at {_et(g.tipoff)}: left alone" for g in effect.tipped]
    return "; ".join(parts)


def _said(day: date, state: str, message: str) -> dict:
    return {"game_date": day.isoformat(), "state": state, "message": message, "batch_id": None, "repriced": 0}


def _et(at: datetime) -> str:
    return f"{at.astimezone(EASTERN):%Y-%m-%d %I:%M %p} ET"
