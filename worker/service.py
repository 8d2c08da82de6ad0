"""One prediction request: the player's features, every requested system, rows appended
to staging, then prediction-ready. A player without features is a permanent skip that
still reports, so no batch waits for him."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from shared import failpoints, topology
from shared.catalogue import BLEND_SYSTEMS, ML_SYSTEMS, PROP_NAMES, SYSTEM_NAMES
from shared.errors import TransientError
from shared.features import FEATURE_VERSION, TONIGHT_NAMES
from shared.messages import PredictionReady, PredictionRequest
from shared.metrics import ServiceMetrics
from shared.ports import Publisher, Warehouse
from shared.pricing import CALL_MARGIN
from shared.pubsub import PushMessage
from worker import rows
from worker import systems as systems_module
from worker.batch_gate import BatchGate
from worker.coalesce import Coalescer
from worker.features import FeatureCache
from worker.model_provider import ModelProvider
from worker.staging import StagingWriter
from worker.systems.base import Context, FeatureRows, Output

log = logging.getLogger(__name__)


@dataclass
class WorkerDeps:
    warehouse: Warehouse
    publisher: Publisher
    features: FeatureCache
    models: ModelProvider
    staging: StagingWriter
    batches: BatchGate
    systems: dict = field(default_factory=systems_module.build)
    fallbacks_said: set = field(default_factory=set)   # (batch, system) already warned about
    metrics: ServiceMetrics = field(default_factory=lambda: ServiceMetrics("worker"))
    call_margin: float = CALL_MARGIN   # Settings.call_margin
    coalescer: Coalescer = field(init=False)

    def __post_init__(self) -> None:
        self.coalescer = Coalescer(lambda requests: handle_many(self, requests))


def handle(deps: WorkerDeps, push: PushMessage) -> None:
    """One push: refused at once if it names no running batch, else predicted in a group with
    the requests that arrived beside it (worker/coalesce.py)."""
    request = push.message
    assert isinstance(request, PredictionRequest)   # worker/app.py parses pushes as PredictionRequest
    deps.batches.check(request)
    deps.coalescer.submit(request)


def handle_many(deps: WorkerDeps, requests: list[PredictionRequest]) -> None:
    """Predict for several requests of one date at once (a push delivers one; predict-range
    hands over a whole slate), append their rows in one write, then report each. A request
    that does not belong to a running batch is refused before any work (PermanentError)."""
    for req in requests:
        deps.batches.check(req)
    found = [(req, _features(deps, req)) for req in requests]
    skipped = [_ready(req, "skipped", reason=f"no feature-store row for player {req.player_id} on {req.game_date}")
               for req, row in found if row is None]
    ready = [(req, row) for req, row in found if row is not None]
    by_systems: dict = {}
    for req, row in ready:
        by_systems.setdefault((req.game_date, req.systems, req.props), []).append((req, row))
    columns = rows.concat([block for group in by_systems.values()
                           for block in predict_rows(deps, [r for r, _ in group], [row for _, row in group])])
    if columns:
        try:
            deps.staging.write(columns)
        except Exception as exc:
            raise TransientError(f"staging write failed for {len(ready)} request(s): {exc}") from exc
        failpoints.reach("worker.staged")
    # a request delivered twice may sit twice in one group: each copy reports its own rows
    copies = Counter((req.batch_id, req.player_id) for req, _ in ready)
    staged = rows.count(columns, "batch_id", "player_id")
    for (system, shadow, source, prop), n in rows.count(columns, "system", "shadow", "model_source", "prop").items():
        deps.metrics.predictions.labels(system + ("_shadow" if shadow else ""), source, prop).inc(n)
    completed = [_ready(req, "completed", n_rows=staged.get(key, 0) // copies[key])
                 for req, key in ((req, (req.batch_id, req.player_id)) for req, _ in ready)]
    try:
        deps.publisher.publish_many(topology.PREDICTION_READY, [*skipped, *completed])
    except Exception as exc:
        raise TransientError(f"publishing prediction-ready failed: {exc}") from exc
    for message in skipped:      # counted once reported: a group that fails is redelivered and counts then
        deps.metrics.skips.labels("no_features").inc()
        log.info("player %s %s: %s", message.player_id, message.status, message.reason,
                 extra={"batch_id": message.batch_id, "player_id": message.player_id, "skip_reason": message.reason})


def _features(deps: WorkerDeps, req: PredictionRequest) -> dict | None:
    try:
        row = deps.features.row(req.game_date, req.player_id)
    except Exception as exc:
        raise TransientError(f"feature store unreachable: {exc}") from exc
    return None if row is None else with_tonight(row, req)


def with_tonight(row: dict, req: PredictionRequest) -> dict:
    """The stored row (left as cached) with the batch's tonight columns over it; unknown is NaN."""
    tonight = {name: float("nan") if (value := req.tonight.get(name)) is None else float(value)
               for name in TONIGHT_NAMES}
    return {**row, **tonight, "feature_version": FEATURE_VERSION}


def predict_rows(deps: WorkerDeps, reqs: list[PredictionRequest], features: list[dict]) -> list[rows.Columns]:
    """Every wanted system and prop over the feature rows of one date (same systems and props
    for all requests), as blocks of prediction-row columns (worker/rows.py)."""
    first = reqs[0]
    numeric = FeatureRows({c: np.array([r[c] for r in features], dtype=float) for c in features[0]
                           if isinstance(features[0][c], (int, float, np.number))
                           and not isinstance(features[0][c], bool)})
    group = rows.Group(reqs, features, datetime.now(UTC))
    blocks = []
    for prop in first.props or PROP_NAMES:
        outputs = _run_systems(deps, first, numeric, [r.player_id for r in reqs], prop)
        blocks.extend(rows.for_prop(group, prop, outputs, deps.call_margin))
        _say_fallbacks(deps, first, outputs)
    return blocks


def _run_systems(deps: WorkerDeps, first: PredictionRequest, numeric: dict, player_ids: list[int],
                 prop: str) -> dict[str, Output]:
    wanted = [s for s in SYSTEM_NAMES if first.systems is None or s in first.systems]
    blending = any(s in BLEND_SYSTEMS for s in wanted)
    deps.models.prefetch([(f"{p}_{kind}", kind) for p in first.props or PROP_NAMES for kind in ML_SYSTEMS
                          if kind in wanted or blending])
    ctx = Context(day=first.game_date, prop=prop, features=deps.features, models=deps.models, previous={},
                  player_ids=player_ids)
    outputs: dict[str, Output] = {}
    for name in SYSTEM_NAMES:
        if name in BLEND_SYSTEMS:
            ctx.previous = outputs
        if name in wanted or (blending and name in ML_SYSTEMS):
            outputs[name] = deps.systems[name].predict(numeric, ctx)
    return {name: out for name, out in outputs.items() if name in wanted}


def _say_fallbacks(deps: WorkerDeps, first: PredictionRequest, outputs: dict[str, Output]) -> None:
    """One WARNING per batch and system that fell back on some rows (each row says so too),
    naming who fell back and what would fix it."""
    batch_id = first.batch_id
    for name, out in outputs.items():
        if isinstance(out.model_source, str) or (batch_id, name) in deps.fallbacks_said:
            continue
        fell_back = int((out.model_source == "fallback").sum())
        if fell_back:
            if len(deps.fallbacks_said) > 1000:
                deps.fallbacks_said.clear()
            deps.fallbacks_said.add((batch_id, name))
            explain = getattr(deps.systems[name], "explain_fallback", None)
            why = explain(deps.features, first.game_date) if explain else "players with too little history"
            log.warning("%s falls back to its simple forecast for %s, in batch %s (said once per batch; each such "
                        "row says model_source=fallback)", name, why, batch_id,
                        extra={"system": name, "batch_id": batch_id, "fallback_rows": fell_back,
                               "notice": "system_fallback", "model": name, "detail": why})


def _ready(req: PredictionRequest, status: Literal["completed", "skipped"], reason: str | None = None,
           n_rows: int = 0) -> PredictionReady:
    """One player's outcome to report."""
    return PredictionReady(batch_id=req.batch_id, game_date=req.game_date, player_id=req.player_id,
                           status=status, reason=reason, n_rows=n_rows, correlation_id=req.correlation_id)
