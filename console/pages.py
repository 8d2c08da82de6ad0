"""The console's pages, rendered on the server from console.reads. Query parameters are
checked like the API's: a bad one is a 400 page naming it."""
from __future__ import annotations

import csv
import functools
import html
import io
from datetime import UTC, date, datetime

import pandas as pd
from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from markupsafe import Markup

from console import actions, changes, charts, ledger_view, params, reads, session
from console.deps import ConsoleDeps, current, default_day
from console.params import BadQuery
from shared import freshness, ledger, ledger_source, spreadsheet
from shared.catalogue import PROP_NAMES, SYSTEM_NAMES

SORTS = ("edge", "predicted", "player")
CSV_COLUMNS = ("game_date", "player_id", "player_name", "team_abbr", "opponent_abbr", "system", "prop", "p10", "p50",
               "p90", "predicted", "line", "p_over", "edge", "recommendation", "availability")


bp = Blueprint("pages", __name__)


@bp.errorhandler(BadQuery)
def _bad(exc: BadQuery):
    return render_template("error.html", title="Bad request", message=str(exc)), 400


@bp.errorhandler(actions.Refused)
def _refused(exc: actions.Refused):
    return render_template("error.html", title="Action refused", message=str(exc)), 400


@bp.app_context_processor
def _common():
    return {"user": g.get("user"), "csrf_token": session.csrf_token(), "props": PROP_NAMES, "systems": SYSTEM_NAMES}


@bp.get("/")
def home():
    return redirect(url_for("pages.tonight"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = session.next_page(request.values.get("next"))
    access = session.current_access()
    if request.method == "GET":
        return render_template("login.html", next=target, error=None, iap=access.token is None)
    refused = session.sign_in(access, request.form.get("token", ""), request.form.get("name", ""),
                              request.remote_addr or "-")
    if refused:
        wait = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        return render_template("login.html", next=target, error=refused.message,
                               iap=access.token is None), refused.status, wait
    return redirect(target)


@bp.post("/logout")
def logout():
    session.end()
    return redirect(url_for("pages.login"))


@bp.get("/tonight")
def tonight():
    deps = current()
    day = params.day("date", args=_form()) or default_day(deps)
    return render_template("tonight.html", night=reads.night(deps.warehouse, deps.store, day), day=day,
                           feeds=reads.feeds(deps.store, datetime.now(UTC)), stale_after=freshness.limits_text(),
                           news=changes.reports(deps.store, day))


@bp.get("/tonight/progress")
def progress():
    deps = current()
    day = params.day("date", required=True)
    return render_template("_progress.html", night=reads.night(deps.warehouse, deps.store, day), day=day)


@bp.get("/slate")
def slate():
    deps = current()
    day, prop, team, system, sort = _slate_query(deps)
    try:
        rows = reads.day_rows(deps.warehouse, day)
    except reads.Unknown as exc:
        return render_template("slate.html", day=day, tables={}, missing=str(exc), q=request.args)
    frame = reads.predictions(deps.warehouse, day, prop, None, team, system, rows=rows)
    teams = sorted(frame["team_abbr"].dropna().unique()) if team is None else [team]
    every = changes.history(rows)
    frame = _sorted(changes.marked(frame, every), sort)
    by_prop = {p: (int((frame["prop"] == p).sum()), _rows(frame[frame["prop"] == p])) for p in PROP_NAMES
               if (frame["prop"] == p).any()}
    return render_template("slate.html", day=day, tables=by_prop, missing=None, q=request.args, teams=teams,
                           sort=sort, prop=prop, team=team, system=system, withdrawn=changes.withdrawn(every, system))


@bp.get("/slate.csv")
def slate_csv():
    deps = current()
    day, prop, team, system, sort = _slate_query(deps)
    try:
        frame = _sorted(reads.predictions(deps.warehouse, day, prop, None, team, system), sort)
    except reads.Unknown:   # the slate as the page shows it: no rows, as when a filter matches none
        frame = pd.DataFrame(columns=list(CSV_COLUMNS))
    return Response(_csv(frame), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="slate-{day}.csv"'})


@bp.get("/accuracy")
def accuracy():
    warehouse = current().warehouse
    args = _form()
    prop = params.choice("prop", PROP_NAMES, args) or "points"
    try:
        start, end = reads.accuracy_window(warehouse, params.day("start", args=args), params.day("end", args=args))
    except reads.Unknown as exc:
        return render_template("accuracy.html", missing=str(exc), prop=prop)
    _ordered(start, end)
    found = reads.accuracy(warehouse, start, end, prop)
    series: dict[str, list] = {}
    for r in found["daily"]:
        series.setdefault(r["system"], []).append((r["game_date"], r["mae"]))
    chart = charts.lines(series, f"daily MAE, {prop}", baseline="ewma (baseline)")
    calibration = charts.calibration(reads.calibration(warehouse, start, end, prop))
    reliability = charts.reliability(reads.reliability(warehouse, start, end, prop), f"P(over) reliability, {prop}")
    return render_template("accuracy.html", missing=None, prop=prop, found=found, chart=chart,
                           calibration=calibration, reliability=reliability, start=start, end=end)


@bp.get("/ledger")
def ledger_page():
    deps = current()
    args = _form()
    system = params.choice("system", SYSTEM_NAMES, args) or ledger_source.DEFAULT_SYSTEM
    try:
        start, end = ledger_view.window(deps.warehouse, params.day("start", args=args), params.day("end", args=args))
    except reads.Unknown as exc:
        return render_template("ledger.html", missing=str(exc), found=None, system=system)
    _ordered(start, end)
    groups = [(column, label) for label, column in ledger.GROUPS.items()]
    return render_template("ledger.html", missing=None, system=system, groups=groups,
                           found=ledger_view.answer(deps.warehouse, deps.store, start, end, system))


@bp.get("/models")
def models():
    deps = current()
    return render_template("models.html", models=reads.models(deps.store), log=reads.registry_log(deps.store),
                           drift=reads.drift(deps.warehouse))


@bp.get("/actions")
def actions_page():
    deps = current()
    return render_template("actions.html", actions=actions.ACTIONS, history=actions.history(deps.store),
                           day=default_day(deps), model_names=reads.MODEL_NAMES)


@bp.post("/actions/confirm")
def confirm():
    name = request.form.get("action", "")
    checked = actions.check(name, request.form)
    return render_template("confirm.html", action=actions.ACTIONS[name], params=checked)


@bp.post("/actions/run")
def run():
    deps = current()
    name = request.form.get("action", "")
    checked = actions.check(name, request.form)
    outcome = actions.run(name, checked, g.user, deps.coordinator, deps.store)
    return render_template("done.html", action=actions.ACTIONS[name], params=checked, ok=outcome.ok,
                           outcome=outcome.message, day=checked.get("game_date")), outcome.status


def _ordered(start: date, end: date) -> None:
    if start > end:
        raise BadQuery("start", f"start {start} is after end {end}")


def _form() -> dict:
    """The query string as the filter forms send it: an empty field means "any"."""
    return {k: v for k, v in request.args.items() if v != ""}


def _slate_query(deps: ConsoleDeps) -> tuple[date, str | None, str | None, str | None, str]:
    args = _form()
    system = params.choice("system", (*SYSTEM_NAMES, "all"), args) or "ensemble"
    return (params.day("date", args=args) or default_day(deps), params.choice("prop", PROP_NAMES, args),
            params.team("team", args), None if system == "all" else system,
            params.choice("sort", SORTS, args) or "edge")


def _csv(frame) -> str:
    """The slate's columns as CSV; text a spreadsheet would run as a formula is quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in reads.records(frame[list(CSV_COLUMNS)]):
        writer.writerow(["" if r[c] is None else spreadsheet.cell(r[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _sorted(frame, sort: str):
    if sort == "player":
        return frame.sort_values(["player_name", "system"], na_position="last")
    return frame.sort_values([sort, "predicted"], ascending=False, na_position="last")


_escape = functools.lru_cache(maxsize=8192)(html.escape)   # names and teams repeat once per system and prop


def _rows(frame) -> Markup:
    """The table body of one prop, built in one pass: a busy slate is 14,000 rows, and a
    template's per-cell lookups cost more than the page's budget. Every text is escaped."""
    text = lambda c: [_escape(v) if isinstance(v, str) else "" for v in frame[c].astype(object).tolist()]  # noqa: E731
    num = lambda c: frame[c].astype(float).tolist()  # noqa: E731
    p10, p50, p90, line, p_over, edge = (num(c) for c in ("p10", "p50", "p90", "line", "p_over", "edge"))
    scale = max(max(p90, default=1.0), max((v for v in line if v == v), default=0.0), 1.0)
    svgs = charts.intervals(p10, p50, p90, line, scale)
    rows = []
    for name, team, opp, system, call, status, moved, lo, mid, hi, ln, po, ed, svg in zip(
            text("player_name"), text("team_abbr"), text("opponent_abbr"), text("system"), text("recommendation"),
            text("availability"), text("moved"), p10, p50, p90, line, p_over, edge, svgs, strict=True):
        rows.append(f'<tr><td class="name">{name}</td><td>{team}</td><td>{opp}</td><td>{system}</td>'
                    f'<td class="num">{lo:.1f} · {mid:.1f} · {hi:.1f}</td><td>{svg}</td>'
                    f'<td class="num">{"-" if ln != ln else f"{ln:g}"}</td>'
                    f'<td class="num">{"-" if po != po else f"{100 * po:.0f}%"}</td>'
                    f'<td class="num">{"-" if ed != ed else f"{100 * ed:+.1f}%"}</td>'
                    f'<td class="call-{call or "none"}">{call or "-"}</td><td>{status}</td>'
                    f'<td class="moved">{moved}</td></tr>')
    return Markup("\n".join(rows))
