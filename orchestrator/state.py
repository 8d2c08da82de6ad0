"""Per-date orchestration state in the object store, changed only by compare-and-swap."""
from __future__ import annotations

import copy
import json
import random
import time
from datetime import date
from typing import Callable, TypeVar

from shared.messages import PROCESSORS
from shared.ports import NotFound, ObjectStore, PreconditionFailed

PREFIX = "orchestration/phase4/"
T = TypeVar("T")


class ContentionError(RuntimeError):
    """The state kept changing under us; the event is retried (500) rather than lost."""


def key_for(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}.json"


def empty(day: date) -> dict:
    return {"game_date": day.isoformat(), "expected": list(PROCESSORS), "processors": {}, "history": [],
            "trigger": {"state": "pending", "attempts": 0}, "alerts": []}


def load(store: ObjectStore, day: date) -> tuple[dict, int]:
    try:
        blob = store.read(key_for(day))
    except NotFound:
        return empty(day), 0
    return json.loads(blob.data), blob.generation


def update(store: ObjectStore, day: date, mutate: Callable[[dict], T], attempts: int = 200) -> T:
    """Read, mutate a copy, write with if_generation_match; re-read and retry on a lost race.
    ``mutate`` returns a result; it signals "no change" by leaving the state equal."""
    for attempt in range(attempts):
        state, generation = load(store, day)
        new = copy.deepcopy(state)
        result = mutate(new)
        if new == state:
            return result
        try:
            store.write(key_for(day), json.dumps(new, sort_keys=True).encode(), if_generation_match=generation)
            return result
        except PreconditionFailed:
            # jittered backoff spreads out writers that lost the same race
            time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
    raise ContentionError(f"{key_for(day)}: gave up after {attempts} compare-and-swap attempts")


def list_dates(store: ObjectStore) -> list[str]:
    return sorted(k[len(PREFIX):-len(".json")] for k in store.list(PREFIX) if k.endswith(".json"))
