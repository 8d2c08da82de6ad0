"""The read API under /v1: JSON, the services' credentials (or a console session), 400 naming
the field, 404 for a date or player with nothing to show. Described in SPEC (OpenAPI 3.1)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request
from pydantic import ValidationError

from console import ledger_view, params, reads
from console import predict as realtime
from console.deps import current
from shared import bodies, distribution, ledger, ledger_source, openapi, versions
from shared.catalogue import PROP_NAMES, SYSTEM_NAMES
from shared.messages import DATE_PATTERN, PLAYER_KEY_PATTERN, describe

bp = Blueprint("api", __name__, url_prefix="/v1")


@bp.errorhandler(params.BadQuery)
def _bad(exc: params.BadQuery):
    return {"error": str(exc), "field": exc.field}, 400


@bp.errorhandler(reads.Unknown)
def _unknown(exc: reads.Unknown):
    return {"error": str(exc)}, 404


@bp.get("/predictions")
def predictions():
    params.only("game_date", "prop", "player_id", "team", "system", "versions")
    day = params.day("game_date", required=True)
    system = params.choice("system", SYSTEM_NAMES + ("all",)) or "ensemble"
    every = params.choice("versions", VERSIONS) == "all"
    frame = reads.predictions(current().warehouse, day, params.choice("prop", PROP_NAMES), params.player("player_id"),
                              params.team("team"), None if system == "all" else system, every)
    body = f'{{"game_date":"{day.isoformat()}","predictions":{reads.records_json(frame)}}}'
    return Response(body, mimetype="application/json")


@bp.get("/players/<player_id>")
def player(player_id: str):
    params.only()
    return reads.player(current().warehouse, params.player_key(player_id))


@bp.get("/accuracy")
def accuracy():
    params.only("start", "end", "prop")
    # every parameter before the window: a bad prop is a 400 also while nothing is graded (404)
    prop = params.choice("prop", PROP_NAMES)
    warehouse = current().warehouse
    start, end = reads.accuracy_window(warehouse, params.day("start"), params.day("end"))
    _ordered(start, end)
    return reads.accuracy(warehouse, start, end, prop)


@bp.get("/ledger", endpoint="ledger")   # the function is named apart from shared.ledger
def ledger_calls():
    params.only("start", "end", "system")
    system = params.choice("system", SYSTEM_NAMES) or ledger_source.DEFAULT_SYSTEM
    deps = current()
    start, end = ledger_view.window(deps.warehouse, params.day("start"), params.day("end"))
    _ordered(start, end)
    return ledger_view.answer(deps.warehouse, deps.store, start, end, system)


@bp.post("/predict/<prop>")
def predict(prop: str):
    if prop not in PROP_NAMES:
        return {"error": f"prop {prop[:40]!r}: one of {', '.join(PROP_NAMES)}", "field": "prop"}, 404
    try:
        body = bodies.json_object(request)
    except bodies.Refused as exc:
        return {"error": str(exc), "field": exc.field}, exc.status
    try:
        parsed = realtime.PredictBody.model_validate(body)
        return realtime.predict(current().worker, prop, parsed)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        return {"error": describe(exc), "field": str(loc[0]) if loc else "<body>"}, 400
    except reads.Unknown:
        raise
    except ValueError as exc:
        return {"error": str(exc), "field": str(exc).split(" ", 1)[0].rstrip(":")}, 400


def _ordered(start: date, end: date) -> None:
    if start > end:
        raise params.BadQuery("start", f"start {start} is after end {end}")


# -- OpenAPI -------------------------------------------------------------------------------------------
AUTHED = openapi.AUTHED
ERROR = openapi.ERROR
BAD = {"400": openapi.json_response("invalid input; `field` names it", ERROR)}
MISSING = {"404": openapi.json_response("nothing for this date or player", ERROR)}
DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
NUMBER_OR_NULL = {"type": ["number", "null"]}
PREDICTION = {"type": "object", "required": ["game_date", "player_id", "system", "prop", "predicted", "p10", "p50",
                                             "p90"],
              "properties": {"game_date": {"type": "string"}, "player_id": {"type": "integer"},
                             "player_name": {"type": ["string", "null"]}, "system": {"type": "string"},
                             "prop": {"enum": list(PROP_NAMES)}, "predicted": {"type": "number"},
                             "p10": {"type": "number"}, "p50": {"type": "number"}, "p90": {"type": "number"},
                             "line": NUMBER_OR_NULL, "p_over": NUMBER_OR_NULL, "edge": NUMBER_OR_NULL,
                             "recommendation": {"type": ["string", "null"]},
                             "prediction_version": {"type": ["integer", "null"]},
                             "version_reason": {"type": ["string", "null"], "description": "why this version exists "
                                                "(news before tip); null for a night's first batch"},
                             "withdrawn_reason": {"type": ["string", "null"]},
                             "version_state": {"enum": list(versions.STATES),
                                               "description": "only with versions=all"},
                             # the row's predictive distribution (null on rows stored before it existed)
                             **{c: NUMBER_OR_NULL for c in distribution.COLUMNS}}}
VERSIONS = ("latest", "all")

TOTALS = {"type": "object", "required": list(ledger.TOTAL_COLUMNS),
          "properties": {"bets": {"type": "integer"}, "units": {"type": "number"}, "roi": NUMBER_OR_NULL,
                         "clv_points": NUMBER_OR_NULL, "clv_prob": NUMBER_OR_NULL}}
CALL = {"type": "object", "required": list(ledger.COLUMNS),
        "properties": {"game_date": {"type": "string"}, "player_id": {"type": "integer"},
                       "prop": {"enum": list(PROP_NAMES)}, "call": {"enum": list(ledger.CALLS)},
                       "line": {"type": "number"}, "price": {"type": "number"},
                       "result": {"enum": [*ledger.SETTLED, "void", "pending"]}, "units": NUMBER_OR_NULL,
                       "closing_line": NUMBER_OR_NULL, "closing_price": NUMBER_OR_NULL,
                       "clv_points": NUMBER_OR_NULL, "clv_prob": NUMBER_OR_NULL}}
LEDGER = {"type": "object", "required": ["start", "end", "system", "total", "by", "calls"],
          "properties": {"start": DATE, "end": DATE, "system": {"enum": list(SYSTEM_NAMES)}, "total": TOTALS,
                         "by": {"type": "object", "required": list(ledger.GROUPS.values()),
                                "additionalProperties": {"type": "array", "items": TOTALS}},
                         "calls": {"type": "array", "items": CALL}}}


def _query(name: str, schema: dict, required: bool = False, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


SPEC_PATHS = {
    "/v1/predictions": {"get": {**AUTHED, "summary": "a date's predictions, every exported column", "parameters": [
        _query("game_date", DATE, True), _query("prop", {"enum": list(PROP_NAMES)}),
        _query("player_id", {"type": "string", "pattern": PLAYER_KEY_PATTERN}),
        _query("team", {"type": "string", "pattern": "^[A-Za-z]{2,4}$"}),
        _query("system", {"enum": [*SYSTEM_NAMES, "all"]}, description="default ensemble"),
        _query("versions", {"enum": list(VERSIONS)}, description=(
            "latest (default): the newest version per player, system and prop, withdrawn players left out; all: "
            "every version, superseded and withdrawn rows too, each with version_state and its reason"))],
        "responses": {"200": openapi.json_response("the rows", {
            "type": "object", "required": ["game_date", "predictions"],
            "properties": {"game_date": DATE, "predictions": {"type": "array", "items": PREDICTION}}}),
            **BAD, **MISSING, **openapi.UNAUTHORIZED}}},
    "/v1/players/{player_id}": {"get": {**AUTHED, "summary": "a player's last 30 days of predictions with actuals",
                                        "parameters": [{"name": "player_id", "in": "path", "required": True,
                                                        "schema": {"type": "string",
                                                                   "pattern": PLAYER_KEY_PATTERN}}],
                                        "responses": {"200": openapi.json_response("his predictions", {
                                            "type": "object", "required": ["player_id", "predictions"]}),
                                            **BAD, **MISSING, **openapi.UNAUTHORIZED}}},
    "/v1/accuracy": {"get": {**AUTHED, "summary": "daily MAE, interval coverage and OVER/UNDER hit rate per system "
                                                  "and prop (default: the last 30 graded days)",
                             "parameters": [_query("start", DATE), _query("end", DATE),
                                            _query("prop", {"enum": list(PROP_NAMES)})],
                             "responses": {"200": openapi.json_response("daily rows and totals", {
                                 "type": "object", "required": ["start", "end", "daily", "total"]}),
                                 **BAD, **MISSING, **openapi.UNAUTHORIZED}}},
    "/v1/ledger": {"get": {**AUTHED, "summary": "every OVER/UNDER call of a system graded at the line and price it "
                                                "was made with (1 unit flat), with the closing line and closing-line "
                                                "value, and totals per prop, book, edge bucket and month (default: "
                                                "the served system, the last 30 days with calls)",
                           "parameters": [_query("start", DATE), _query("end", DATE),
                                          _query("system", {"enum": list(SYSTEM_NAMES)},
                                                 description="default ensemble")],
                           "responses": {"200": openapi.json_response("the calls and their totals", LEDGER),
                                         **BAD, **MISSING, **openapi.UNAUTHORIZED}}},
    "/v1/predict/{prop}": {"post": {**AUTHED, "summary": "one player on one date, now, by the worker's own code",
                                    "parameters": [{"name": "prop", "in": "path", "required": True,
                                                    "schema": {"enum": list(PROP_NAMES)}}],
                                    "requestBody": {"required": True, "content": {"application/json": {
                                        "schema": realtime.PredictBody.model_json_schema()}}},
                                    "responses": {"200": openapi.json_response("every system's prediction", {
                                        "type": "object", "required": ["game_date", "player_id", "prop",
                                                                       "predictions"],
                                        "properties": {"predictions": {"type": "array", "items": {
                                            "type": "object", "required": ["system", "predicted", "p10", "p90"]}}}}),
                                        **BAD, **MISSING, **openapi.UNAUTHORIZED,
                                        "413": openapi.json_response("body over 1 MB", ERROR),
                                        "415": openapi.json_response("not application/json", ERROR)}}},
}
