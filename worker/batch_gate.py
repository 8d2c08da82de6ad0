"""A request is predicted only for a running batch whose date and players contain it, so a
stray or forged push cannot stage rows under some batch. Batch documents are cached: a
batch's date and players never change once it runs."""
from __future__ import annotations

import threading
from collections import OrderedDict

from shared.batch_docs import read_batch
from shared.documents import StoredDocumentError
from shared.errors import PermanentError, TransientError
from shared.messages import PredictionRequest
from shared.ports import ObjectStore


class BatchGate:
    def __init__(self, store: ObjectStore, size: int = 64):
        self.store = store
        self.size = size
        self._running: OrderedDict[str, tuple[str, frozenset[int]]] = OrderedDict()
        self._lock = threading.Lock()   # the worker serves requests on several threads

    def check(self, req: PredictionRequest) -> None:
        day, players = self._batch(req.batch_id)
        if str(req.game_date) != day:
            raise PermanentError(f"request for {req.game_date} names batch {req.batch_id} of {day}; dropped")
        if req.player_id not in players:
            raise PermanentError(f"player {req.player_id} is not in batch {req.batch_id}; dropped")

    def _batch(self, batch_id: str) -> tuple[str, frozenset[int]]:
        with self._lock:
            if batch_id in self._running:
                self._running.move_to_end(batch_id)
                return self._running[batch_id]
        try:
            doc = read_batch(self.store, batch_id)
        except StoredDocumentError as exc:   # a malformed document stays malformed: no redelivery helps
            raise PermanentError(f"batch document unreadable: {exc}") from exc
        except Exception as exc:
            raise TransientError(f"batch document unreadable: {exc}") from exc
        if doc is None:
            raise PermanentError(f"batch {batch_id} does not exist; request dropped")
        if doc.state != "running":
            raise PermanentError(f"batch {batch_id} is {doc.state}; a late request dropped")
        entry = (doc.game_date.isoformat(), frozenset(doc.players))
        with self._lock:
            self._running[batch_id] = entry
            if len(self._running) > self.size:
                self._running.popitem(last=False)
        return entry
