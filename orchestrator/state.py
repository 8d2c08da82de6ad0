"""Per-date orchestration state in the object store, changed only by compare-and-swap."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from shared import cas
from shared.catalogue import PROCESSOR_NAMES
from shared.ports import ObjectStore

PREFIX = "orchestration/phase4/"
T = TypeVar("T")


def key_for(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}.json"


def empty(day: date) -> dict:
    return {"game_date": day.isoformat(), "expected": list(PROCESSOR_NAMES), "processors": {}, "history": [],
            "trigger": {"state": "pending", "attempts": 0}, "alerts": []}


def load(store: ObjectStore, day: date) -> tuple[dict, int]:
    return cas.load(store, key_for(day), initial=lambda: empty(day))


def update(store: ObjectStore, day: date, mutate: Callable[[dict], T]) -> T:
    """Change the date's state by compare-and-swap (shared.cas); ``mutate`` returns a result
    and signals "no change" by leaving the state equal."""
    return cas.update(store, key_for(day), mutate, initial=lambda: empty(day))


def list_dates(store: ObjectStore) -> list[str]:
    return sorted(k[len(PREFIX):-len(".json")] for k in store.list(PREFIX) if k.endswith(".json"))
