"""Coordinator service: routes only; logic in coordinator/service.py."""
from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from pydantic import ValidationError

from coordinator import recovery, service
from coordinator import refresh as news_refresh
from coordinator.batches import counts_first
from coordinator.health import deep_health
from coordinator.monitoring import AccuracyCollector
from coordinator.requests import RefreshRequest, StartRequest
from shared import bodies, http_errors, openapi
from shared.auth import guard
from shared.batch_docs import BatchInputs, check_id
from shared.logging import bound, traced
from shared.messages import BATCH_ID_PATTERN, DATE_PATTERN, PredictionReady, describe, parse_date
from shared.pubsub import handle_push, read_body
from shared.timetable import EASTERN


def create_app(deps: service.CoordinatorDeps, auth=None, project: str | None = None, scraper=None) -> Flask:
    app = Flask("coordinator")
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False   # /status leads with its counts
    http_errors.install(app)
    deps.metrics.instrument(app)
    traced(app, project)
    guard(app, auth, scraper)
    deps.metrics.collect_with(AccuracyCollector(deps.warehouse))

    @app.post("/start")
    def start():
        try:
            body = bodies.json_object(request)
        except bodies.Refused as exc:
            return {"error": str(exc), "field": exc.field}, exc.status
        try:
            req = StartRequest.model_validate(body)
            with bound(correlation_id=req.correlation_id):
                code, answer = service.start(deps, req, datetime.now(EASTERN).date())
        except ValidationError as exc:
            return {"error": describe(exc), "field": str(exc.errors()[0]["loc"][0])}, 400
        except service.BadRequest as exc:
            return {"error": str(exc), "field": exc.field}, 400
        return (counts_first(answer) if code == 200 else answer), code

    @app.post("/refresh")
    def refresh():
        try:
            req = RefreshRequest.model_validate(bodies.json_object(request))
        except bodies.Refused as exc:
            return {"error": str(exc), "field": exc.field}, exc.status
        except ValidationError as exc:
            return {"error": describe(exc), "field": str(exc.errors()[0]["loc"][0])}, 400
        now = datetime.now(EASTERN)
        with bound(correlation_id=req.correlation_id):
            return news_refresh.refresh(deps, req.game_date or now.date(), req.at or now)

    @app.get("/status")
    def status():
        batch_id, day, ids = request.args.get("batch_id"), request.args.get("game_date"), request.args.get("ids", "0")
        if ids not in IDS:
            return {"error": f"ids {ids[:40]!r}: 1 (or true) lists the players' ids, 0 (or false) leaves them out",
                    "field": "ids"}, 400
        if not batch_id and not day:
            return {"error": "give batch_id or game_date", "field": "batch_id"}, 400
        try:
            if batch_id:
                check_id(batch_id)
        except ValueError as exc:
            return {"error": str(exc), "field": "batch_id"}, 400
        try:
            found = service.status(deps, batch_id) if batch_id else service.status_for_date(deps, parse_date(day))
        except ValueError as exc:
            return {"error": f"game_date {exc}", "field": "game_date"}, 400
        if found is None:
            return {"error": "no such batch"}, 404
        return counts_first(found, IDS[ids])

    @app.post("/complete")
    def complete():
        # parse_push validated the message as a PredictionReady
        return "", handle_push(read_body(request), PredictionReady,
                               lambda push: service.complete(deps, cast(PredictionReady, push.message)),
                               deps.metrics.count_push)

    @app.post("/check-stalled")
    def check_stalled():
        return {"actions": recovery.check_stalled(deps)}

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/health/deep")
    def health_deep():
        return deep_health(deps)

    openapi.publish(app, SPEC)
    return app


IDS = {"0": False, "false": False, "1": True, "true": True}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
REASONS = {"type": "object", "additionalProperties": {"type": "string"}}
STATUS = {"type": "object", "required": ["batch_id", "game_date", "state", "expected", "completed", "skipped", "failed",
                                         "missing_count", "skipped_by_reason", "failed_by_reason"],
          "properties": {"batch_id": {"type": "string"}, "game_date": {"type": "string", "format": "date"},
                         "state": {"enum": ["running", "finished"]}, "expected": {"type": "integer"},
                         "completed": {"type": "integer"}, "skipped": {"type": "integer"},
                         "failed": {"type": "integer"}, "missing_count": {"type": "integer"},
                         "skipped_by_reason": COUNTS, "failed_by_reason": COUNTS,
                         "missing": {"type": "array", "items": {"type": "integer"},
                                     "description": "players without a result; only with ids=1"},
                         "skip_reasons": {**REASONS, "description": "player id -> reason; only with ids=1"},
                         "fail_reasons": {**REASONS, "description": "player id -> reason; only with ids=1"},
                         "inputs": {**BatchInputs.model_json_schema(),
                                    "description": "the injury report and line snapshot the batch read"}}}
AUTHED = openapi.AUTHED
BAD = {"400": openapi.json_response("invalid input; `field` names the offending field", openapi.ERROR)}
BODY = {"413": openapi.json_response("body over 1 MB", openapi.ERROR),
        "415": openapi.json_response("body not sent as application/json", openapi.ERROR)}
SPEC = openapi.document("coordinator", "Starts a prediction batch per game date, fans out one request per player, "
                        "records completions and consolidates the batch exactly once.", {
    "/start": {"post": {**AUTHED, "summary": "start (or return) the batch for a game date",
                        "requestBody": {"required": True, "content": {"application/json": {
                            "schema": StartRequest.model_json_schema()}}},
                        "responses": {"202": openapi.json_response("a new batch", {
                            "type": "object", "required": ["batch_id", "game_date", "expected"]}),
                                      "200": openapi.json_response("the date's existing batch (no force)"),
                                      **BAD, **BODY, **openapi.UNAUTHORIZED}}},
    "/refresh": {"post": {**AUTHED, "summary": "re-predict the players an injury report moved (news before tip)",
                          "description": "The newest injury report before `at` against the one the date's "
                                         "predictions last read: a player newly Out is withdrawn, his team's "
                                         "players get a new version from one superseding batch, a game already "
                                         "tipped at `at` is named and left alone. Once per report.",
                          "requestBody": {"required": True, "content": {"application/json": {
                              "schema": RefreshRequest.model_json_schema()}}},
                          "responses": {"200": openapi.json_response("what the report changed and started", {
                              "type": "object", "required": ["game_date", "state", "message", "batch_id"],
                              "properties": {"state": {"enum": list(news_refresh.STATES)}}}),
                                        **BAD, **BODY, **openapi.UNAUTHORIZED}}},
    "/status": {"get": {**AUTHED, "summary": "a batch's progress, by batch_id or by game_date", "parameters": [
        {"name": "batch_id", "in": "query", "schema": {"type": "string", "pattern": BATCH_ID_PATTERN}},
        {"name": "game_date", "in": "query", "schema": {"type": "string", "format": "date",
                                                         "pattern": DATE_PATTERN}},
        {"name": "ids", "in": "query", "schema": {"enum": list(IDS)},
         "description": "1 adds the per-player lists (missing, skip_reasons, fail_reasons) to the counts"}],
                        "responses": {"200": openapi.json_response("the batch", STATUS), **BAD,
                                      **openapi.UNAUTHORIZED,
                                      "404": openapi.json_response("no such batch", openapi.ERROR)}}},
    "/complete": {"post": openapi.push_operation("a worker's prediction-ready message",
                                                 PredictionReady.model_json_schema())},
    "/check-stalled": {"post": {**AUTHED, "summary": "re-publish or finalise stalled batches (Cloud Scheduler)",
                                "responses": {"200": openapi.json_response("what was done per batch"),
                                              **openapi.UNAUTHORIZED}}},
    **openapi.health_paths(deep="warehouse reachable and each feed's freshness (last success, age, stale or "
                                "failing, last error); degraded if a feed is stale or failing"),
})
