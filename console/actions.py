"""What an operator can do from the console, each through the code that owns it: a batch
through the coordinator's HTTP API, a model pointer through Registry.promote. Every
attempt, refused or done, is one audit entry (who, when, what, outcome) in the object store."""
from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.coordinator_client import CoordinatorClient, StartFailed, StartRefused
from shared.messages import parse_date
from shared.models.registry import Registry
from shared.ports import ObjectStore, PreconditionFailed

log = logging.getLogger(__name__)
AUDIT_PREFIX = "audit/console/"


class Refused(ValueError):
    """The action's input is wrong; the message names the field."""


@dataclass(frozen=True)
class Action:
    name: str
    title: str
    fields: tuple[str, ...]
    consequence: str           # shown on the confirmation page


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("start", "Start the batch for a date", ("game_date",),
           "asks the coordinator for the date's batch; an existing batch is returned, not repeated"),
    Action("force", "Force a new batch for a date", ("game_date",),
           "starts a new batch even if the date has one; its rows replace the old batch's"),
    Action("check-stalled", "Run the stall check", (),
           "re-publishes the missing players of stalled batches and finalises the ones that are done"),
    Action("promote", "Promote a model", ("name", "version", "reason"),
           "moves the champion pointer; the workers serve that version from their next load"),
)}


def check(name: str, form: Mapping[str, str]) -> dict[str, str | int]:
    """The action's parameters, validated; Refused names the field and the value."""
    if name not in ACTIONS:
        raise Refused(f"action: {name!r} is not one of {', '.join(ACTIONS)}")
    given = {f: str(form.get(f, "")).strip() for f in ACTIONS[name].fields}
    params: dict[str, str | int] = dict(given)
    if "game_date" in given:
        try:
            params["game_date"] = parse_date(given["game_date"]).isoformat()
        except ValueError as exc:
            raise Refused(f"game_date {exc}") from None
    if "version" in given:
        if not given["version"].isdigit() or not 0 < int(given["version"]) < 10**6:
            raise Refused(f"version {given['version'][:20]!r}: a version number such as 3")
        params["version"] = int(given["version"])
    if "reason" in params and not params["reason"]:
        raise Refused("reason: say why (it is kept in the registry log)")
    return params


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str       # what the operator reads: never an internal address
    status: int        # the page's HTTP status


def run(name: str, params: dict, user: str, coordinator: CoordinatorClient, store: ObjectStore) -> Outcome:
    """Do the action and say what happened; the outcome is audited either way."""
    try:
        outcome = Outcome(True, _do(name, params, user, coordinator, store), 200)
    except (StartFailed, ValueError, PreconditionFailed) as exc:
        outcome = refusal(exc)
    audit(store, user, name, params, outcome.ok, outcome.message)
    return outcome


def refusal(exc: Exception) -> Outcome:
    """A refusal in the operator's words. The coordinator's errors carry its internal URL, so
    only its own reason is shown; the full text goes to the log."""
    if isinstance(exc, StartRefused):
        log.warning("console action refused by the coordinator: %s", exc)
        return Outcome(False, f"the coordinator refused it: {exc.reason or f'HTTP {exc.status}'}", 400)
    if isinstance(exc, StartFailed):
        log.warning("console action: the coordinator failed: %s", exc)
        answered = f"answered HTTP {exc.status}" if exc.status else "could not be reached"
        return Outcome(False, f"the coordinator {answered}; try again (the console's log has "
                              f"the details)", 502)
    if isinstance(exc, PreconditionFailed):
        return Outcome(False, str(exc)[:500], 409)
    return Outcome(False, str(exc)[:500] or type(exc).__name__, 400)


def _do(name: str, params: dict, user: str, coordinator: CoordinatorClient, store: ObjectStore) -> str:
    if name in ("start", "force"):
        answer = coordinator.start({"game_date": params["game_date"], "force": name == "force",
                                    "correlation_id": f"console-{secrets.token_hex(6)}"})
        return (f"batch {answer.get('batch_id')} for {params['game_date']}: {answer.get('expected', '?')} players"
                + (f" ({answer['state']})" if answer.get("state") else ""))
    if name == "check-stalled":
        actions = coordinator.check_stalled().get("actions", {})
        return "; ".join(f"{b}: {a}" for b, a in actions.items()) or "no stalled batch"
    try:
        entry = Registry(store).promote(params["name"], params["version"], params["reason"], user)
    except PreconditionFailed:
        raise PreconditionFailed(f"{params['name']}: the champion pointer moved meanwhile; try again") from None
    was = f"v{entry['previous_version']}" if entry["previous_version"] else "the bundled model"
    return f"{params['name']}: champion is now v{params['version']} (was {was})"


def audit(store: ObjectStore, user: str, action: str, params: dict, ok: bool, outcome: str) -> None:
    at = datetime.now(UTC)
    entry = {"at": at.isoformat(), "user": user, "action": action, "params": params, "ok": ok, "outcome": outcome}
    store.write(f"{AUDIT_PREFIX}{at:%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}.json", json.dumps(entry).encode())
    log.info("console action %s by %s: %s", action, user, outcome,
             extra={"audit": action, "user": user, "ok": ok, "params": params})


def history(store: ObjectStore, limit: int = 30) -> list[dict]:
    keys = sorted(store.list(AUDIT_PREFIX))[-limit:]
    return [json.loads(store.read(k).data) for k in reversed(keys)]
