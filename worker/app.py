"""Worker service: POST /predict (Pub/Sub push), GET /health, GET /health/deep."""
from __future__ import annotations

import logging

from flask import Flask, request

from shared import http_errors, openapi
from shared.auth import guard
from shared.catalogue import ML_SYSTEMS, PROP_NAMES
from shared.health import unavailable, warehouse_check
from shared.logging import traced
from shared.messages import PredictionRequest
from shared.metrics import gauge
from shared.pubsub import handle_push, read_body
from worker import service

log = logging.getLogger(__name__)


def create_app(deps: service.WorkerDeps, auth=None, project: str | None = None, scraper=None) -> Flask:
    app = Flask("worker")
    http_errors.install(app)
    deps.metrics.instrument(app)
    traced(app, project)
    guard(app, auth, scraper)
    deps.metrics.collect_with(lambda: _model_metrics(deps))

    @app.post("/predict")
    def predict():
        status = handle_push(read_body(request), PredictionRequest, lambda push: service.handle(deps, push),
                             deps.metrics.count_push)
        return "", status

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/health/deep")
    def health_deep():
        return deep_health(deps)

    openapi.publish(app, SPEC)
    return app


SPEC = openapi.document("worker", "Predicts one player-date per Pub/Sub push with every prediction system and "
                        "stages the rows for the coordinator to consolidate.", {
    "/predict": {"post": openapi.push_operation("a coordinator's prediction request",
                                                PredictionRequest.model_json_schema())},
    **openapi.health_paths(deep="models loaded and warehouse reachable; degraded if not"),
})


def _model_metrics(deps: service.WorkerDeps):
    status = deps.models.status()
    yield gauge("pipeline_model_info", "loaded model: 1 per (model, version, source)", ["model", "version", "source"],
                [([name, m["version"], m["source"]], 1.0) for name, m in status.items()])
    yield gauge("pipeline_model_fallbacks", "models served from the bundled fallback", [],
                [([], float(sum(m["source"] == "bundled" for m in status.values())))])
    yield gauge("pipeline_model_validation_mae", "validation MAE of the model being served", ["system", "prop"],
                [([m["system"], m["prop"]], m["valid_mae"]) for m in status.values() if m["valid_mae"] is not None])


def deep_health(deps: service.WorkerDeps) -> tuple[dict, int]:
    checks: dict[str, object] = {}
    degraded = False
    for name, kind in ((f"{prop}_{kind}", kind) for prop in PROP_NAMES for kind in ML_SYSTEMS):
        try:
            loaded = deps.models.get(name, kind)
            checks[name] = {"version": loaded.version, "source": loaded.source,
                            "error": deps.models.status().get(name, {}).get("error")}
            degraded |= loaded.source != "registry"
        except Exception as exc:
            checks[name] = {"error": unavailable(f"model {name} unavailable", exc)}
            degraded = True
    checks["warehouse"], down = warehouse_check(deps.warehouse)
    return {"status": "degraded" if degraded or down else "ok", "checks": checks}, 200
