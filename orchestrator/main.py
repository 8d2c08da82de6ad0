"""The orchestrator's composition root and Cloud Function entry points (functions-framework).

on_precompute_complete: CloudEvent on the precompute-complete topic. Returning acks;
raising makes Pub/Sub retry, which we do only for transient failures.
check_deadlines: HTTP, for Cloud Scheduler: quorum trigger or alarm past the deadline.

Dependencies live on the function's Flask app, not in a module global: built from settings
on first use in Cloud Functions, or attached with ``attach`` by whoever builds the app
(the local stack, tests), so two apps in one process never share them.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import flask
import functions_framework

from orchestrator import refusals
from orchestrator.events import decode, too_old
from orchestrator.service import Orchestrator, Starter
from shared import bodies, bootstrap, coordinator_client, schedule, timetable
from shared.config import ConfigError, Settings
from shared.errors import PermanentError
from shared.logging import setup_logging
from shared.messages import parse_date
from shared.ports import ObjectStore, Warehouse
from shared.timetable import EASTERN

log = logging.getLogger("orchestrator")
_CONFIG_KEY = "orchestrator_deps"
_build_lock = threading.Lock()


@dataclass(frozen=True)
class OrchestratorDeps:
    orchestrator: Orchestrator
    has_games: Callable[[date], bool]
    max_event_age_s: int
    # when a date's deadline passes (shared/timetable.py: before its first tip-off); None: any time
    deadline: Callable[[date], datetime] | None = None


def build_deps(settings: Settings, store: ObjectStore | None = None, starter: Starter | None = None,
               has_games: Callable[[date], bool] | None = None,
               warehouse: Callable[[], Warehouse] | None = None) -> OrchestratorDeps:
    """``warehouse`` hands out the schedule's warehouse (default: a read-only one from settings, per call)."""
    if starter is None:
        if not settings.coordinator_url:
            raise ConfigError("COORDINATOR_URL is required by the orchestrator")
        starter = coordinator_client.for_settings(settings)
    if warehouse is None:
        def warehouse() -> Warehouse:
            return bootstrap.build_warehouse(settings, read_only=True)
    if has_games is None:
        def has_games(day: date) -> bool:
            return schedule.has_games(warehouse(), day)

    def deadline(day: date) -> datetime:
        tip = schedule.first_tipoff(warehouse(), day)
        return timetable.deadline(timetable.tipoff_or_default(day, tip), settings.process_lead)

    return OrchestratorDeps(Orchestrator(store or bootstrap.build_store(settings), starter), has_games,
                            settings.max_event_age_s, deadline)


def attach(app: flask.Flask, deps: OrchestratorDeps) -> None:
    app.config[_CONFIG_KEY] = deps


def _deps() -> OrchestratorDeps:
    app = flask.current_app
    with _build_lock:
        if _CONFIG_KEY not in app.config:
            settings = Settings.from_env()
            setup_logging("orchestrator", settings.log_level)
            attach(app, build_deps(settings))
    return app.config[_CONFIG_KEY]


def _drop_hostile_body():
    """functions-framework parses the body before our function runs, and a deeply nested
    one is a RecursionError there (a 500 Pub/Sub would redeliver): checked first, acked as poison."""
    if flask.request.method != "POST":
        return None
    try:
        bodies.check(flask.request.get_data(), "event body")
    except bodies.BodyError as exc:
        log.error("dropped a malformed event: %s", exc, extra={"outcome": "poison"})
        return "", 200
    return None


if flask.has_app_context():   # being loaded by functions-framework, inside the app it builds
    flask.current_app.before_request(_drop_hostile_body)
    refusals.install(flask.current_app)


@functions_framework.cloud_event
def on_precompute_complete(cloud_event) -> None:
    deps = _deps()
    try:
        event = decode(cloud_event.data)
    except PermanentError as exc:
        log.error("dropped a malformed processor event: %s", exc,
                  extra={"event_id": cloud_event["id"], "outcome": "poison"})
        return
    if too_old(cloud_event.get("time"), datetime.now(UTC), deps.max_event_age_s):
        log.warning("dropped an event older than %ss", deps.max_event_age_s,
                    extra={"event_id": cloud_event["id"], "game_date": str(event.game_date), "outcome": "stale"})
        return
    deps.orchestrator.handle(event)


@functions_framework.http
def check_deadlines(request):
    deps = _deps()
    if request.args.get("date"):
        try:
            days = [parse_date(request.args["date"])]
        except ValueError as exc:
            return {"error": f"query parameter date {exc}", "field": "date"}, 400
    else:   # yesterday, and today once its deadline has passed (Cloud Scheduler calls every 15 minutes)
        now = datetime.now(EASTERN)
        today = now.date()
        days = [today - timedelta(days=1)]
        if deps.deadline is None or deps.deadline(today) <= now:
            days.insert(0, today)
    return {"results": deps.orchestrator.check_deadlines(days, deps.has_games)}, 200
