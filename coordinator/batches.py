"""Batch state in the object store: small JSON documents, write-once markers, CAS."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

from shared import cas
from shared.batch_docs import batch_inputs, batch_key
from shared.batch_docs import check_id as _check
from shared.ports import NotFound, ObjectStore, PreconditionFailed


class BatchStore:
    def __init__(self, store: ObjectStore):
        self.store = store

    # -- documents -----------------------------------------------------------------------------
    def _read(self, key: str) -> tuple[dict, int] | None:
        try:
            blob = self.store.read(key)
        except NotFound:
            return None
        return json.loads(blob.data), blob.generation

    def _write(self, key: str, doc: dict, generation: int | None) -> int:
        return self.store.write(key, json.dumps(doc, sort_keys=True, default=str).encode(),
                                if_generation_match=generation)

    def date_pointer(self, day: date) -> tuple[dict, int] | None:
        return self._read(f"batches/by_date/{day.isoformat()}.json")

    def claim_date(self, day: date, pointer: dict, replace_generation: int | None) -> bool:
        """Point the date at a batch (``pointer`` holds its batch_id): create-only, or replace a
        known generation (force, or a claim whose batch was never created)."""
        try:
            self._write(f"batches/by_date/{day.isoformat()}.json", {**pointer, "batch_id": _check(pointer["batch_id"])},
                        replace_generation if replace_generation is not None else 0)
            return True
        except PreconditionFailed:
            return False

    def batch(self, batch_id: str) -> tuple[dict, int] | None:
        return self._read(batch_key(batch_id))

    def put_batch(self, doc: dict, generation: int | None = 0) -> int:
        return self._write(batch_key(doc["batch_id"]), doc, generation)

    def update_batch(self, batch_id: str, mutate: Callable[[dict], None]) -> dict:
        """Change the batch document by compare-and-swap (shared.cas); returns the new document."""
        def apply(doc: dict) -> dict:
            mutate(doc)
            return doc
        return cas.update(self.store, batch_key(batch_id), apply)

    # -- per-player markers --------------------------------------------------------------------
    def mark_done(self, batch_id: str, player_id: int, doc: dict) -> bool:
        """Write-once: False when this player was already marked (a duplicate delivery)."""
        try:
            self._write(f"batches/{_check(batch_id)}/done/{int(player_id)}.json", doc, 0)
            return True
        except PreconditionFailed:
            return False

    def done_players(self, batch_id: str) -> list[int]:
        prefix = f"batches/{_check(batch_id)}/done/"
        return [int(k[len(prefix):-5]) for k in self.store.list(prefix)]

    def done_docs(self, batch_id: str) -> dict[int, dict]:
        found = {p: self._read(f"batches/{batch_id}/done/{p}.json") for p in self.done_players(batch_id)}
        return {p: doc[0] for p, doc in found.items() if doc is not None}

    # -- finalisation and progress ---------------------------------------------------------------
    def claim_final(self, batch_id: str, doc: dict) -> int | None:
        try:
            return self._write(f"batches/{_check(batch_id)}/final.json", doc, 0)
        except PreconditionFailed:
            return None

    def final(self, batch_id: str) -> tuple[dict, int] | None:
        return self._read(f"batches/{_check(batch_id)}/final.json")

    def put_final(self, batch_id: str, doc: dict, generation: int) -> bool:
        try:
            self._write(f"batches/{_check(batch_id)}/final.json", doc, generation)
            return True
        except PreconditionFailed:
            return False

    def progress(self, batch_id: str) -> tuple[dict, int] | None:
        return self._read(f"batches/{_check(batch_id)}/progress.json")

    def put_progress(self, batch_id: str, doc: dict, generation: int | None) -> bool:
        try:
            self._write(f"batches/{_check(batch_id)}/progress.json", doc, generation or 0)
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


def batch_summary(markers: dict[int, dict]) -> dict:
    by = lambda s: [p for p, m in markers.items() if m["status"] == s]  # noqa: E731
    return {"completed": len(by("completed")), "skipped": len(by("skipped")), "failed": len(by("failed")),
            "skip_reasons": {str(p): markers[p]["reason"] for p in by("skipped")},
            "fail_reasons": {str(p): markers[p]["reason"] for p in by("failed")}}


def describe(batches: BatchStore, batch_id: str) -> dict | None:
    """A batch's progress as /status answers it: a finished batch from its kept summary,
    a running one from its markers."""
    found = batches.batch(batch_id)
    if found is None:
        return None
    doc = found[0]
    if doc["state"] == "finished" and "summary" in doc:
        summary, missing = doc["summary"], doc.get("missing", [])
    else:
        markers = batches.done_docs(batch_id)
        summary = batch_summary(markers)
        missing = sorted(set(doc["players"]) - set(markers)) if doc["state"] == "running" else doc.get("missing", [])
    return {"batch_id": batch_id, "game_date": doc["game_date"], "state": doc["state"],
            "expected": doc["expected"], **summary, "missing": missing,
            "started_at": doc["started_at"], "finished_at": doc["finished_at"], "degraded": doc["degraded"],
            "missing_processors": doc.get("missing_processors", []),
            "inputs": batch_inputs(doc).model_dump(mode="json")}


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
    return describe(batches, pointer[0]["batch_id"]) if pointer else None
