"""POST /v1/predict/{prop}: one player on one date, answered synchronously by the worker's
own code (its FeatureCache, ModelProvider and prediction systems), so a real-time answer
and the batch row for the same player-date are the same numbers. Nothing is written."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NoReturn

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from console.reads import Unknown
from coordinator import slate
from shared import availability, distribution
from shared.catalogue import SYSTEM_NAMES
from shared.messages import GameDate, Line, PlayerId, PredictionRequest
from worker.rows import concat, records
from worker.service import WorkerDeps, predict_rows, with_tonight

REALTIME_BATCH = "0" * 32      # not a batch: the rows are answered, never staged or reported
RESULT_COLUMNS = ("system", "predicted", "p10", "p50", "p90", "confidence", "line", "p_over", "market_p_over",
                  "edge", "recommendation", "model_name", "model_version", "model_source", *distribution.COLUMNS)


class PredictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    game_date: GameDate
    player_id: PlayerId
    line: float | None = Field(default=None, ge=0, le=300, description="the sportsbook line, for P(over) and edge")
    over: float | None = Field(default=None, gt=1, le=1000, description="decimal odds of the over")
    under: float | None = Field(default=None, gt=1, le=1000, description="decimal odds of the under")
    systems: tuple[str, ...] | None = Field(default=None, min_length=1, max_length=len(SYSTEM_NAMES),
                                            description=f"some of {', '.join(SYSTEM_NAMES)}; default all")


def check_systems(systems: tuple[str, ...] | None) -> None:
    for name in systems or ():
        if name not in SYSTEM_NAMES:
            raise ValueError(f"systems: {name!r} is not one of {', '.join(SYSTEM_NAMES)}")


def predict(worker: WorkerDeps, prop: str, body: PredictBody) -> dict:
    check_systems(body.systems)
    row = worker.features.row(body.game_date, body.player_id)
    if row is None:
        _explain_missing(worker, body.game_date, body.player_id)
    lines = {} if body.line is None else {prop: Line(line=body.line, book="request", over=body.over,
                                                    under=body.under)}
    source, tonight = _tonight(worker, body.game_date, body.player_id)
    req = PredictionRequest(batch_id=REALTIME_BATCH, game_date=body.game_date, player_id=body.player_id,
                            systems=body.systems, props=(prop,), lines=lines, tonight=tonight,
                            availability_source=source)
    rows = records(concat(predict_rows(worker, [req], [with_tonight(row, req)])))
    return {"game_date": body.game_date.isoformat(), "player_id": body.player_id, "prop": prop,
            "player_name": row.get("player_name"), "team_abbr": row.get("team_abbr"),
            "opponent_abbr": row.get("opponent_abbr"),
            "predictions": [{c: r[c] for c in RESULT_COLUMNS} for r in rows if not r["shadow"]]}


def _tonight(worker: WorkerDeps, day: date, player_id: int) -> tuple[availability.AvailabilitySource, dict]:
    """Tonight's availability columns as a batch started now would compute them: from the
    latest injury report, over the whole date's rows."""
    # the date's rows from the worker's own cache (the caller just read them), not the warehouse again
    cached = worker.features.features(day)
    rows = pd.DataFrame([{"player_id": p, **{c: r.get(c) for c in availability.INPUTS[1:]}} for p, r in cached.items()],
                        columns=list(availability.INPUTS))
    now = slate.load(worker.warehouse, day, datetime.now(UTC))
    source, columns = slate.tonight(worker.warehouse, day, rows, now, "report")
    return source, {k: v for k, v in (columns.get(str(player_id)) or {}).items() if v is not None}


def _explain_missing(worker: WorkerDeps, day: date, player_id: int) -> NoReturn:
    if not worker.features.features(day):
        raise Unknown(f"game_date {day}: no feature-store rows (the processors have not run for it)")
    raise Unknown(f"player_id {player_id}: no feature-store row on {day} (not on a roster playing that day)")
