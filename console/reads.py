"""The console's read model: one function per question the pages and the read API ask. Each
reads the warehouse (aggregating in SQL where a season is involved) or the object store
and returns plain values; nothing here writes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from coordinator.batches import STALL_AFTER, BatchStore, describe_date
from coordinator.recovery import overview
from orchestrator import state as orchestration
from shared import distribution, documents, freshness, tables, versions
from shared.batch_docs import BatchInputs, eastern
from shared.catalogue import DRIFT_KEY_FEATURES, ML_SYSTEMS, PROCESSOR_NAMES, PROP_BY_NAME, PROP_NAMES, PROPS, PSI_ALERT
from shared.models import BUNDLED
from shared.models.registry import Registry
from shared.models.weights import EnsembleWeights
from shared.ports import NotFound, ObjectStore, Warehouse
from shared.pricing import over_probability_rows
from shared.reliability import line_proxy, reliability_bins

PLAYER_DAYS = 30          # a player's page: his last 30 days of predictions
ACCURACY_DAYS = 30        # the accuracy page's default window, ending at the last graded date
MODEL_NAMES = tuple(f"{p}_{s}" for p in PROP_NAMES for s in (*ML_SYSTEMS, "ensemble"))   # the registry's


class Unknown(LookupError):
    """The date or player has nothing to show (the API answers 404)."""


def _value(v):
    """A JSON-ready scalar: NaN/NA -> None, numpy -> Python, timestamps -> ISO text."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat() if v == v.normalize() and v.tzinfo is None else v.isoformat()
    if isinstance(v, np.generic):
        return v.item()
    return v


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, converted a column at a time (a slate is 14,000 rows)."""
    columns = {c: _column(frame[c]) for c in frame.columns}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)] \
        if columns else [{} for _ in range(len(frame))]


def records_json(frame: pd.DataFrame) -> str:
    """The same rows as a JSON array, written by pandas in one pass (the read API's large answers):
    dates as YYYY-MM-DD, timestamps ISO 8601, missing values null."""
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c].dtype):
            out[c] = _iso(out[c])
    return out.to_json(orient="records", double_precision=15, force_ascii=False)


def _iso(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD, instants as ISO 8601 in UTC; missing as None."""
    if values.dt.tz is not None:
        text = values.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    elif bool((values.dropna() == values.dropna().dt.normalize()).all()):
        text = values.dt.strftime("%Y-%m-%d")
    else:
        text = values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text.astype(object).where(values.notna(), None)


def _column(values: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _iso(values).tolist()
    missing = values.isna().tolist()
    if pd.api.types.is_float_dtype(values.dtype):
        return [None if m else v for v, m in zip(values.astype("float64").tolist(), missing, strict=True)]
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        kind = "bool" if pd.api.types.is_bool_dtype(values.dtype) else "int64"
        filled = values.fillna(False if kind == "bool" else 0).astype(kind)
        return [None if m else v for v, m in zip(filled.tolist(), missing, strict=True)]
    if pd.api.types.is_string_dtype(values.dtype):
        return [None if m else v for v, m in zip(values.astype(object).tolist(), missing, strict=True)]
    return [None if m else _value(v) for v, m in zip(values.astype(object).tolist(), missing, strict=True)]


# -- predictions -------------------------------------------------------------------------------------
def day_rows(warehouse: Warehouse, day: date) -> pd.DataFrame:
    """Every stored prediction row of the date, every version; Unknown when there is none."""
    frame = warehouse.read(tables.PREDICTIONS.fqn, day, day)
    if not len(frame):
        raise Unknown(f"game_date {day}: no predictions")
    return frame


def predictions(warehouse: Warehouse, day: date, prop: str | None = None, player_id: int | None = None,
                team: str | None = None, system: str | None = "ensemble", every: bool = False,
                rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The date's exported prediction rows (no shadow rows), filtered: the latest version per
    player, system and prop, withdrawn players left out; ``every`` keeps every version, each
    with its version_state. Unknown when the date has no predictions at all. ``system=None``
    keeps every system. ``rows``: the date's rows (day_rows) when the caller read them already."""
    frame = day_rows(warehouse, day) if rows is None else rows
    frame = (versions.every_version if every else versions.latest)(tables.exported(frame))
    keep = pd.Series(True, index=frame.index)
    for column, wanted in (("prop", prop), ("player_id", player_id), ("team_abbr", team), ("system", system)):
        if wanted is not None:
            keep &= frame[column] == wanted
    return frame[keep].sort_values(["prop", "edge", "predicted"], ascending=[True, False, False],
                                   na_position="last").reset_index(drop=True)


def player(warehouse: Warehouse, player_id: int, days: int = PLAYER_DAYS) -> dict:
    """The player's predictions (every system and prop) over his last ``days`` days of
    predictions, each with what he did where graded."""
    last = warehouse.query(f"SELECT MAX(game_date) AS d FROM {tables.PREDICTIONS.fqn} "
                           "WHERE player_id = @p AND game_date BETWEEN @a AND @b",
                           {"p": player_id, "a": tables.EVERY_DATE[0], "b": tables.EVERY_DATE[1]})["d"].iloc[0]
    if pd.isna(last):
        raise Unknown(f"player_id {player_id}: no predictions")
    end = pd.Timestamp(last).date()
    start = end - timedelta(days=days - 1)
    rows = warehouse.query(
        f"SELECT p.game_date, p.prop, p.system, p.predicted, p.p10, p.p50, p.p90, p.line, p.recommendation, "
        f"p.player_name, p.team_abbr, p.opponent_abbr, p.player_id, p.created_at, p.prediction_version, "
        f"p.withdrawn_reason, a.actual, a.error, "
        f"a.inside_interval, a.call_hit "
        f"FROM {tables.PREDICTIONS.fqn} p LEFT JOIN {tables.PREDICTION_ACCURACY.fqn} a "
        f"ON a.game_date = p.game_date AND a.player_id = p.player_id AND a.system = p.system AND a.prop = p.prop "
        f"AND a.model_version = p.model_version AND a.prediction_version IS NOT DISTINCT FROM p.prediction_version "
        f"WHERE p.player_id = @p AND p.game_date BETWEEN @a AND @b AND NOT COALESCE(p.shadow, FALSE) "
        f"ORDER BY p.game_date DESC, p.prop, p.system", {"p": player_id, "a": start, "b": end})
    rows = versions.latest(rows, keep_withdrawn=True).sort_values(["game_date", "prop", "system"],
                                                                  ascending=[False, True, True])
    latest = rows.iloc[0]
    return {"player_id": player_id, "player_name": _value(latest["player_name"]),
            "team_abbr": _value(latest["team_abbr"]), "start": start.isoformat(), "end": end.isoformat(),
            "predictions": records(rows.drop(columns=["player_name", "team_abbr", "player_id", "created_at"]))}


# -- accuracy ------------------------------------------------------------------------------------------
def accuracy_window(warehouse: Warehouse, start: date | None, end: date | None) -> tuple[date, date]:
    """The requested window, or the last ACCURACY_DAYS ending at the last graded date."""
    if end is None:
        last = warehouse.query(f"SELECT MAX(game_date) AS d FROM {tables.DAILY_ACCURACY.fqn}")["d"].iloc[0]
        if pd.isna(last):
            raise Unknown("no graded dates yet (run `grade`)")
        end = pd.Timestamp(last).date()
    if start is None:
        start = end - timedelta(days=ACCURACY_DAYS - 1) if end > date.min + timedelta(days=ACCURACY_DAYS) else date.min
    return start, end


def accuracy(warehouse: Warehouse, start: date, end: date, prop: str | None = None) -> dict:
    """Daily MAE, interval coverage and OVER/UNDER hit rate per system and prop (champions;
    a challenger's rows are named "system (challenger)"), the EWMA baseline's MAE on the
    ensemble's rows, and the whole window's totals."""
    daily = warehouse.read(tables.DAILY_ACCURACY.fqn, start, end)
    if prop:
        daily = daily[daily["prop"] == prop]
    daily = pd.concat([daily, _ewma_daily(warehouse, start, end, prop)], ignore_index=True)
    daily["hit_rate"] = (daily["calls_hit"] / daily["calls"].where(daily["calls"] > 0)).astype(float)
    daily = daily.sort_values(["prop", "system", "game_date"]).reset_index(drop=True)
    total = []
    for (p, s), g in daily.groupby(["prop", "system"], sort=True):
        n = g["n"].astype(float)
        calls, hits = float(g["calls"].fillna(0).sum()), float(g["calls_hit"].fillna(0).sum())
        total.append({"prop": p, "system": s, "n": int(n.sum()), "mae": float((g["mae"] * n).sum() / n.sum()),
                      "interval_coverage": _weighted(g["interval_coverage"], n),
                      "calls": int(calls), "hit_rate": hits / calls if calls else None})
    return {"start": start.isoformat(), "end": end.isoformat(),
            "daily": records(daily[["game_date", "prop", "system", "n", "mae", "interval_coverage", "calls",
                                    "hit_rate"]]),
            "total": total}


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna()
    return float((values[ok] * weights[ok]).sum() / weights[ok].sum()) if ok.any() else None


def _ewma_daily(warehouse: Warehouse, start: date, end: date, prop: str | None) -> pd.DataFrame:
    """The one-line baseline (each prop's EWMA feature) scored on the graded ensemble rows."""
    ewma = " ".join(f"WHEN '{p.name}' THEN f.{p.baselines['ewma']}" for p in PROPS)
    frame = warehouse.query(
        f"SELECT a.game_date, a.prop, COUNT(*) AS n, AVG(ABS((CASE a.prop {ewma} END) - a.actual)) AS mae "
        f"FROM {tables.PREDICTION_ACCURACY.fqn} a JOIN {tables.ML_FEATURE_STORE.fqn} f "
        f"ON f.game_date = a.game_date AND f.player_id = a.player_id "
        f"WHERE a.system = 'ensemble' AND NOT COALESCE(a.shadow, FALSE) AND a.game_date BETWEEN @a AND @b "
        f"AND f.game_date BETWEEN @a AND @b GROUP BY a.game_date, a.prop", {"a": start, "b": end})
    if prop:
        frame = frame[frame["prop"] == prop]
    return frame.assign(system="ewma (baseline)", interval_coverage=np.nan, calls=0, calls_hit=0,
                        game_date=pd.to_datetime(frame["game_date"]))


def calibration(warehouse: Warehouse, start: date, end: date, prop: str | None = None) -> list[dict]:
    """Per prop and system, how often the outcome fell below p10, the prediction and p90:
    a calibrated interval reads about 10 %, 50 %, 90 %."""
    frame = warehouse.query(
        f"SELECT prop, system, COUNT(*) AS n, AVG(CASE WHEN actual < p10 THEN 1.0 ELSE 0.0 END) AS below_p10, "
        f"AVG(CASE WHEN actual < predicted THEN 1.0 ELSE 0.0 END) AS below_predicted, "
        f"AVG(CASE WHEN actual < p90 THEN 1.0 ELSE 0.0 END) AS below_p90 "
        f"FROM {tables.PREDICTION_ACCURACY.fqn} WHERE game_date BETWEEN @a AND @b AND NOT COALESCE(shadow, FALSE) "
        f"GROUP BY prop, system ORDER BY prop, system", {"a": start, "b": end})
    if prop:
        frame = frame[frame["prop"] == prop]
    return records(frame)


def reliability(warehouse: Warehouse, start: date, end: date, prop: str) -> dict[str, list[dict]]:
    """Per system, P(over) at the line proxy (the last-10 mean to the nearest half point) read
    from each graded row's distribution, in ten bins against the share that went over; pushes
    left out. `evaluate` reports the same with Brier scores and the bettor's baseline."""
    last10 = PROP_BY_NAME[prop].baselines["last10"]       # a declared column name, never user input
    frame = warehouse.query(
        f"SELECT a.system, a.actual, p.p10, p.p50, p.p90, {', '.join(f'p.{c}' for c in distribution.COLUMNS)}, "
        f"f.{last10} AS last10 FROM {tables.PREDICTION_ACCURACY.fqn} a "
        f"JOIN {tables.PREDICTIONS.fqn} p ON p.game_date = a.game_date AND p.player_id = a.player_id "
        f"AND p.system = a.system AND p.prop = a.prop AND p.model_version = a.model_version "
        f"JOIN {tables.ML_FEATURE_STORE.fqn} f ON f.game_date = a.game_date AND f.player_id = a.player_id "
        f"WHERE a.prop = @prop AND NOT COALESCE(a.shadow, FALSE) AND a.game_date BETWEEN @a AND @b "
        f"AND p.game_date BETWEEN @a AND @b AND f.game_date BETWEEN @a AND @b",
        {"prop": prop, "a": start, "b": end})
    frame = frame.assign(line=line_proxy(frame["last10"]))
    frame = frame[frame["line"].notna() & (frame["actual"] != frame["line"])]
    out = {}
    for system, g in frame.groupby("system", sort=True):
        p = over_probability_rows(distribution.of_frame(g), g["line"].to_numpy())
        out[system] = reliability_bins(p, g["actual"].to_numpy() > g["line"].to_numpy())
    return out


# -- the night -----------------------------------------------------------------------------------------
@dataclass
class Night:
    day: date
    games: list[dict]
    processors: list[dict]          # name, status (success/failed/partial/missing), rows, error
    trigger: dict
    batch: dict | None              # /status's answer plus the overview's state (stalled, failed)
    skipped: list[dict]             # player, name, reason
    failed: list[dict]


def night(warehouse: Warehouse, store: ObjectStore, day: date) -> Night:
    games = warehouse.read(tables.SCHEDULE.fqn, day, day).sort_values(["tipoff_utc", "game_id"])
    state, generation = orchestration.load(store, day)
    runs = warehouse.read(tables.PROCESSOR_RUNS.fqn, day, day).set_index("processor")
    procs = []
    for name in PROCESSOR_NAMES:
        event = state.processors.get(name)
        run = runs.loc[name] if name in runs.index else None
        status = event.status if event else (run["status"] if run is not None else "missing")
        procs.append({"name": name, "status": status, "rows": _value(run["rows"]) if run is not None else None,
                      "error": _value(run["error"]) if run is not None else None})
    batches = BatchStore(store)
    batch = progress(batches, day)
    names = _names(warehouse, day)
    reasons = lambda key: [{"player_id": int(p), "player_name": names.get(int(p)), "reason": r}  # noqa: E731
                           for p, r in sorted((batch or {}).get(key, {}).items(), key=lambda kv: str(kv[1]))]
    shown = games[["game_id", "away_team_abbr", "home_team_abbr", "tipoff_utc", "status", "arena"]]
    return Night(day, records(shown), procs, {**state.trigger.as_json(), "seen": bool(generation)}, batch,
                 reasons("skip_reasons"), reasons("fail_reasons"))


def progress(batches: BatchStore, day: date) -> dict | None:
    """The date's batch as /status describes it, with the overview's verdict on its state and
    the injury report and line snapshot it read, as-of in ET."""
    batch = describe_date(batches, day)
    if batch is None:
        return None
    seen = overview(batches, datetime.now(UTC), STALL_AFTER, owner_check=False, start=day, end=day)
    state = seen[0]["state"] if seen else batch["state"]
    reported = batch["completed"] + batch["skipped"] + batch["failed"]
    used = BatchInputs.model_validate(batch["inputs"])
    return {**batch, "state": state, "reported": reported,
            "percent": round(100 * reported / batch["expected"]) if batch["expected"] else 100,
            "report_shown": eastern(used.injury_report_as_of), "lines_shown": eastern(used.lines_as_of)}


def feeds(store: ObjectStore, now: datetime) -> list[dict]:
    """Each feed's freshness for the Tonight page; ``degraded`` (stale or failing) shows in red."""
    shown = []
    for status in freshness.read_all(store):
        age = status.age(now)
        shown.append({"feed": status.feed, "state": status.state(now), "degraded": status.degraded(now),
                      "last_success": eastern(status.last_success_at) if status.last_success_at else "never",
                      "age": freshness.age_text(age) if age is not None else "-", "rows": status.rows,
                      "last_error": status.last_error if status.failing else None})
    return shown


def _names(warehouse: Warehouse, day: date) -> dict[int, str]:
    rows = warehouse.read(tables.ML_FEATURE_STORE.fqn, day, day, columns=["player_id", "player_name"])
    return {int(p): n for p, n in zip(rows["player_id"], rows["player_name"], strict=True)}


def default_day(warehouse: Warehouse, store: ObjectStore, today: date) -> date:
    """Today when the schedule has games, else the latest date with a batch, else today."""
    if len(warehouse.read(tables.SCHEDULE.fqn, today, today, columns=["game_id"])):
        return today
    dates = BatchStore(store).dates()
    return date.fromisoformat(dates[-1]) if dates else today


# -- models --------------------------------------------------------------------------------------------
def models(store: ObjectStore) -> list[dict]:
    """Champion and challenger of every trained model with their validation MAE; without a
    registry champion, the bundled model the workers serve instead."""
    registry = Registry(store)
    found = []
    for name in MODEL_NAMES:
        prop, system = name.split("_", 1)
        entry: dict[str, object] = {"name": name, "prop": prop, "system": system, "bundled": _bundled(name)}
        for role, which in (("champion", "latest"), ("challenger", "challenger")):
            pointer = registry.pointer(name, which)
            entry[role] = None if pointer is None else {
                "version": pointer.version, "updated_at": pointer.updated_at,
                "valid_mae": _valid_mae(registry, name, pointer.version)}
        found.append(entry)
    return found


def _bundled(name: str) -> dict:
    folder = BUNDLED / name
    if (folder / "weights.json").exists():
        path = folder / "weights.json"
        return {"valid_mae": documents.parse(EnsembleWeights, str(path), path.read_bytes()).valid_mae}
    metrics = json.loads((folder / "metrics.json").read_text()) if (folder / "metrics.json").exists() else {}
    return {"valid_mae": metrics.get("valid", {}).get("mae")}


def _valid_mae(registry: Registry, name: str, version: int) -> float | None:
    try:
        return registry.read_json(name, version, "metrics.json").get("valid", {}).get("mae")
    except (NotFound, ValueError):
        return None


def registry_log(store: ObjectStore, limit: int = 50) -> list[dict]:
    """The latest registry decisions of every model, newest first."""
    entries = []
    for name in MODEL_NAMES:
        keys = sorted(store.list(f"models/{name}/registry_log/"))[-limit:]
        entries += [{"name": name, "stamp": k.rsplit("/", 1)[1][:-5], **json.loads(store.read(k).data)}
                    for k in keys]
    return sorted(entries, key=lambda e: e["stamp"], reverse=True)[:limit]


def drift(warehouse: Warehouse) -> dict:
    """PSI per feature on the latest monitored date."""
    last = warehouse.query(f"SELECT MAX(game_date) AS d FROM {tables.FEATURE_DRIFT.fqn}")["d"].iloc[0]
    if pd.isna(last):
        return {"game_date": None, "features": [], "alerts": [], "key_features": DRIFT_KEY_FEATURES,
                "threshold": PSI_ALERT}
    day = pd.Timestamp(last).date()
    rows = warehouse.read(tables.FEATURE_DRIFT.fqn, day, day)
    # the key features first: they alone alert; the others are context (shared.catalogue says why)
    rows = rows.assign(key=rows["feature"].isin(DRIFT_KEY_FEATURES)).sort_values(["key", "psi"],
                                                                                 ascending=[False, False])
    rows = rows.assign(alert=rows["key"] & (rows["psi"] > PSI_ALERT))
    return {"game_date": day.isoformat(), "key_features": DRIFT_KEY_FEATURES, "threshold": PSI_ALERT,
            "alerts": list(rows.loc[rows["alert"], "feature"]),
            "features": records(rows[["feature", "psi", "rows", "reference_model", "reference_version", "key",
                                      "alert"]])}

