"""Batch state in the object store: small JSON documents (typed: shared/batch_docs.py and
coordinator/documents.py), write-once markers, CAS."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from coordinator.documents import DatePointer, DoneMarker, FinalClaim, Progress
from shared import documents
from shared.batch_docs import BatchDoc, BatchSummary, batch_key
from shared.batch_docs import check_id as _check
from shared.ports import NotFound, ObjectStore, PreconditionFailed


class BatchStore:
    def __init__(self, store: ObjectStore, remembered: int = 64):
        self.store = store
        self.remembered = remembered
        self._members: OrderedDict[str, tuple[frozenset[int], int]] = OrderedDict()
        self._lock = threading.Lock()

    # -- documents -----------------------------------------------------------------------------
    def date_pointer(self, day: date) -> tuple[DatePointer, int] | None:
        return documents.read(self.store, f"batches/by_date/{day.isoformat()}.json", DatePointer)

    def claim_date(self, day: date, pointer: DatePointer, replace_generation: int | None) -> bool:
        """Point the date at a batch: create-only, or replace a known generation (force, or a
        claim whose batch was never created)."""
        try:
            documents.write(self.store, f"batches/by_date/{day.isoformat()}.json", pointer,
                            replace_generation if replace_generation is not None else 0)
            return True
        except PreconditionFailed:
            return False

    def batch(self, batch_id: str) -> tuple[BatchDoc, int] | None:
        return documents.read(self.store, batch_key(batch_id), BatchDoc)

    def members(self, batch_id: str) -> tuple[frozenset[int], int] | None:
        """A batch's players and how many reports it expects, None for no such batch. Both are
        fixed when the batch is created, so they are kept once read: every player's report asks,
        and the document also carries every player's inputs."""
        with self._lock:
            known = self._members.get(batch_id)
        if known is not None:
            return known
        found = self.batch(batch_id)
        if found is None:
            return None
        known = (frozenset(found[0].players), found[0].expected)
        with self._lock:
            self._members[batch_id] = known
            while len(self._members) > self.remembered:
                self._members.popitem(last=False)
        return known

    def put_batch(self, doc: BatchDoc, generation: int | None = 0) -> int:
        return documents.write(self.store, batch_key(doc.batch_id), doc, generation)

    def update_batch(self, batch_id: str, mutate: Callable[[BatchDoc], Any]) -> None:
        """Change the batch document by compare-and-swap (shared.cas)."""
        documents.update(self.store, batch_key(batch_id), BatchDoc, mutate)

    # -- per-player markers --------------------------------------------------------------------
    def mark_done(self, batch_id: str, player_id: int, marker: DoneMarker) -> bool:
        """Write-once: False when this player was already marked (a duplicate delivery)."""
        try:
            documents.write(self.store, f"batches/{_check(batch_id)}/done/{int(player_id)}.json", marker, 0)
            return True
        except PreconditionFailed:
            return False

    def done_players(self, batch_id: str) -> list[int]:
        prefix = f"batches/{_check(batch_id)}/done/"
        return [int(k[len(prefix):-5]) for k in self.store.list(prefix)]

    def done_docs(self, batch_id: str) -> dict[int, DoneMarker]:
        found = {p: documents.read(self.store, f"batches/{batch_id}/done/{p}.json", DoneMarker)
                 for p in self.done_players(batch_id)}
        return {p: marker[0] for p, marker in found.items() if marker is not None}

    # -- finalisation and progress ---------------------------------------------------------------
    def claim_final(self, batch_id: str, claim: FinalClaim) -> int | None:
        try:
            return documents.write(self.store, f"batches/{_check(batch_id)}/final.json", claim, 0)
        except PreconditionFailed:
            return None

    def final(self, batch_id: str) -> tuple[FinalClaim, int] | None:
        return documents.read(self.store, f"batches/{_check(batch_id)}/final.json", FinalClaim)

    def put_final(self, batch_id: str, claim: FinalClaim, generation: int) -> bool:
        try:
            documents.write(self.store, f"batches/{_check(batch_id)}/final.json", claim, generation)
            return True
        except PreconditionFailed:
            return False

    def progress(self, batch_id: str) -> tuple[Progress, int] | None:
        return documents.read(self.store, f"batches/{_check(batch_id)}/progress.json", Progress)

    def put_progress(self, batch_id: str, progress: Progress, generation: int | None) -> bool:
        try:
            documents.write(self.store, f"batches/{_check(batch_id)}/progress.json", progress, generation or 0)
            return True
        except PreconditionFailed:
            return False

    def dates(self) -> list[str]:
        """Every game date that has a batch, as YYYY-MM-DD."""
        prefix = "batches/by_date/"
        return sorted(k[len(prefix):-5] for k in self.store.list(prefix))

    def running(self) -> list[str]:
        return [k.rsplit("/", 1)[1] for k in self.store.list("batches/running/")]

    def set_running(self, batch_id: str, on: bool) -> None:
        key = f"batches/running/{_check(batch_id)}"
        if on:
            self.store.write(key, b"1")
        else:
            try:
                self.store.delete(key)
            except NotFound:
                pass


def batch_summary(markers: dict[int, DoneMarker]) -> BatchSummary:
    by = lambda s: [p for p, m in markers.items() if m.status == s]  # noqa: E731
    return BatchSummary(completed=len(by("completed")), skipped=len(by("skipped")), failed=len(by("failed")),
                        skip_reasons={str(p): markers[p].reason for p in by("skipped")},
                        fail_reasons={str(p): markers[p].reason for p in by("failed")})


def describe(batches: BatchStore, batch_id: str) -> dict | None:
    """A batch's progress as /status answers it: a finished batch from its kept summary,
    a running one from its markers."""
    found = batches.batch(batch_id)
    if found is None:
        return None
    doc = found[0]
    if doc.state == "finished" and doc.summary is not None:
        summary, missing = doc.summary, doc.missing
    else:
        markers = batches.done_docs(batch_id)
        summary = batch_summary(markers)
        missing = sorted(set(doc.players) - set(markers)) if doc.state == "running" else doc.missing
    shown = doc.model_dump(mode="json")
    return {"batch_id": batch_id, "game_date": shown["game_date"], "state": doc.state, "expected": doc.expected,
            **summary.model_dump(mode="json"), "missing": missing, "started_at": shown["started_at"],
            "finished_at": shown["finished_at"], "degraded": doc.degraded,
            "missing_processors": doc.missing_processors, "inputs": shown["inputs"]}


def reason_kind(reason: str) -> str:
    """A reason without its player, so a batch's reasons can be counted."""
    return reason.split(" for player")[0]


def by_reason(reasons: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reason in reasons.values():
        counts[reason_kind(reason)] = counts.get(reason_kind(reason), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


# a batch none of whose players reported for this long has stalled: its missing players are
# asked again, and the status pages call it stalled
STALL_AFTER = timedelta(minutes=10)
HEAD = ("batch_id", "game_date", "state", "expected", "completed", "skipped", "failed")
ID_LISTS = ("missing", "skip_reasons", "fail_reasons")


def counts_first(described: dict, ids: bool = False) -> dict:
    """What /status answers, in this order: the counts, the reasons counted, the rest; the
    per-player lists (a batch can miss hundreds) only when ``ids`` asks for them."""
    out = {k: described[k] for k in HEAD if k in described}
    if "missing" in described:
        out["missing_count"] = len(described["missing"])
    if "skip_reasons" in described:
        out["skipped_by_reason"] = by_reason(described["skip_reasons"])
        out["failed_by_reason"] = by_reason(described["fail_reasons"])
    out.update({k: v for k, v in described.items() if k not in HEAD and k not in ID_LISTS})
    if ids:
        out.update({k: described[k] for k in ID_LISTS if k in described})
    return out


def describe_date(batches: BatchStore, day: date) -> dict | None:
    pointer = batches.date_pointer(day)
    return describe(batches, pointer[0].batch_id) if pointer else None
