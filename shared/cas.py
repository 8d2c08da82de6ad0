"""The one compare-and-swap loop for JSON documents in the object store: read, mutate a
copy, write with if_generation_match; on a lost race re-read and retry with jittered
backoff, a bounded number of times."""
from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable
from typing import TypeVar

from shared.ports import NotFound, ObjectStore, PreconditionFailed

T = TypeVar("T")
ATTEMPTS = 200


class ContentionError(RuntimeError):
    """The document kept changing under us; the caller's request is retried rather than lost."""


def load(store: ObjectStore, key: str, initial: Callable[[], dict] | None = None) -> tuple[dict, int]:
    """The document and its generation; a missing one is ``initial()`` at generation 0
    (create-only), or NotFound when there is no initial."""
    try:
        blob = store.read(key)
    except NotFound:
        if initial is None:
            raise
        return initial(), 0
    return json.loads(blob.data), blob.generation


def update(store: ObjectStore, key: str, mutate: Callable[[dict], T], initial: Callable[[], dict] | None = None,
           attempts: int = ATTEMPTS) -> T:
    """Apply ``mutate`` to the document atomically and return what it returned. A mutation
    that leaves the document equal writes nothing."""
    for attempt in range(attempts):
        doc, generation = load(store, key, initial)
        new = copy.deepcopy(doc)
        result = mutate(new)
        if new == doc:
            return result
        try:
            store.write(key, json.dumps(new, sort_keys=True, default=str).encode(), if_generation_match=generation)
            return result
        except PreconditionFailed:
            # jittered backoff spreads out writers that lost the same race
            time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
    raise ContentionError(f"{key}: gave up after {attempts} compare-and-swap attempts")
