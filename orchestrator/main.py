"""Cloud Function entry points (functions-framework).

on_precompute_complete: CloudEvent on the precompute-complete topic. Returning acks;
raising makes Pub/Sub retry, which we do only for transient failures.
check_deadlines: HTTP, for Cloud Scheduler: quorum trigger or alarm past the deadline.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import functions_framework

from orchestrator.events import decode, too_old
from orchestrator.wiring import deps as _built
from shared.pubsub import PermanentError

log = logging.getLogger("orchestrator")
EASTERN = ZoneInfo("America/New_York")


@functions_framework.cloud_event
def on_precompute_complete(cloud_event) -> None:
    deps = _built()
    try:
        event = decode(cloud_event.data)
    except PermanentError as exc:
        log.error("dropped a malformed processor event: %s", exc,
                  extra={"event_id": cloud_event["id"], "outcome": "poison"})
        return
    if too_old(cloud_event.get("time"), datetime.now(timezone.utc), deps["max_event_age_s"]):
        log.warning("dropped an event older than %ss", deps["max_event_age_s"],
                    extra={"event_id": cloud_event["id"], "game_date": str(event.game_date), "outcome": "stale"})
        return
    deps["orchestrator"].handle(event)


@functions_framework.http
def check_deadlines(request):
    deps = _built()
    today = datetime.now(EASTERN).date()
    days = [today, today - timedelta(days=1)]
    if request.args.get("date"):
        try:
            days = [date.fromisoformat(request.args["date"])]
        except ValueError:
            return {"error": f"query parameter date={request.args['date']!r} is not YYYY-MM-DD"}, 400
    return {"results": deps["orchestrator"].check_deadlines(days, deps["has_games"])}, 200
