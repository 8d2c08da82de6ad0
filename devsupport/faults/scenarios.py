"""One function per injected fault; each returns a Row for the table."""
from __future__ import annotations

import base64
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from devsupport.faults.harness import TOKEN, Row, Workspace, tally
from processors.runner import nightly
from shared import topology
from shared.errors import TransientError
from shared.models import BUNDLED
from shared.pubsub import encode_envelope


def _chain(st, days):
    st.days = days
    for d in days:
        nightly(st.warehouse, st.bus, d)
        settle(st, d)
    return st


def settle(st, day) -> None:
    """Deliver everything; then, as Cloud Scheduler would, run the stall check past its
    deadline so players whose requests were dead-lettered are re-published once."""
    from coordinator import recovery, service

    st.bus.drain()
    found = service.status_for_date(st.coordinator, day)
    if found and found["state"] != "finished":
        real = st.coordinator.clock
        now = real()
        recovery.check_stalled(st.coordinator)                                     # records progress
        st.coordinator.clock = lambda: now + st.coordinator.stall_republish + timedelta(seconds=1)
        try:
            recovery.check_stalled(st.coordinator)                                 # re-publishes the missing
        finally:
            st.coordinator.clock = real
        st.bus.drain()


def tripled_shuffled(ws: Workspace) -> Row:
    st = ws.stack(bus_options={"subscriptions": list(topology.replicated(3)), "shuffle": True})
    try:
        _chain(st, ws.days)
        finals = len(st.bus.messages(topology.PREDICTIONS_COMPLETE))
        delivered = st.bus.delivery_counts().get("acked", 0)
        return tally(st, "every message delivered 3x, shuffled", delivered,
                     f"{finals} predictions-complete for {len(ws.days)} batches")
    finally:
        st.stop()


class FlakyRequests:
    """In front of the worker's coalescer: a share of requests fail transiently (500) before
    any work, each on its own."""
    def __init__(self, inner, rate: float, budget: int, seed: int = 7):
        self.inner, self.rate, self.budget, self.failed = inner, rate, budget, 0
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def submit(self, item) -> None:
        with self.lock:
            fail = self.failed < self.budget and self.rng.random() < self.rate
            self.failed += fail
        if fail:
            raise TransientError("injected: the worker's store unavailable")
        self.inner.submit(item)


def worker_500s(ws: Workspace) -> Row:
    st = ws.stack()
    try:
        flaky = st.worker.coalescer = FlakyRequests(st.worker.coalescer, 0.2, budget=60)
        _chain(st, ws.days)
        return tally(st, "worker answers 500 on 20% of requests, then recovers", flaky.failed)
    finally:
        st.stop()


def double_finalise(ws: Workspace) -> Row:
    from coordinator import service

    st = ws.stack()
    try:
        st.days = ws.days[:1]
        nightly(st.warehouse, st.bus, st.days[0])
        st.bus.drain()
        batch_id = service.status_for_date(st.coordinator, st.days[0])["batch_id"]
        # forget the finalisation and let two coordinators race to redo it
        st.store.delete(f"batches/{batch_id}/final.json")
        before = len(st.bus.messages(topology.PREDICTIONS_COMPLETE))
        with ThreadPoolExecutor(2) as pool:
            won = list(pool.map(lambda _: service.finalise(st.coordinator, batch_id), range(2)))
        after = len(st.bus.messages(topology.PREDICTIONS_COMPLETE))
        return tally(st, "two coordinators finalising the same batch", 2,
                     f"{sum(won)} won the claim, {after - before} predictions-complete")
    finally:
        st.stop()


class MergeFailsOnce:
    def __init__(self, inner):
        self.inner, self.failed = inner, 0

    def merge_frame(self, *args, **kwargs):
        if not self.failed:
            self.failed = 1
            raise ConnectionError("injected: warehouse error during consolidation")
        return self.inner.merge_frame(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def consolidation_error(ws: Workspace) -> Row:
    st = ws.stack()
    try:
        st.coordinator.warehouse = MergeFailsOnce(st.warehouse)
        _chain(st, ws.days[:1])
        finals = len(st.bus.messages(topology.PREDICTIONS_COMPLETE))
        return tally(st, "transient warehouse error during consolidation", st.coordinator.warehouse.failed,
                     f"{finals} predictions-complete")
    finally:
        st.stop()


def _plant(store, round_: int) -> None:
    """Round 0: a pickle as the xgboost champion, a champion whose model file is missing for
    catboost. Round 1: a bad sha256 for xgboost, a schema for another feature version for
    catboost. Every pointer names a version the worker must refuse."""
    import pickle

    from shared.models.native import sha256
    from shared.models.registry import Registry

    reg = Registry(store)
    schema = json.loads(open(BUNDLED / "points_xgboost" / "schema.json").read())
    good = open(BUNDLED / "points_xgboost" / "model.ubj", "rb").read()
    cat_schema = {**schema, "system": "catboost"}
    if round_ == 0:
        planted = pickle.dumps({"planted": True})
        reg.put("points_xgboost", 1, "xgboost", planted, {}, schema)
        reg.set_pointer("points_xgboost", 1, sha256(planted), expected=None)
        reg.put("points_catboost", 1, "catboost", b"CBM1", {}, cat_schema)
        store.delete("models/points_catboost/v1/model.cbm")
        reg.set_pointer("points_catboost", 1, sha256(b"CBM1"), expected=None)
    else:
        reg.put("points_xgboost", 1, "xgboost", good, {}, schema)
        reg.set_pointer("points_xgboost", 1, "0" * 64, expected=None)
        reg.put("points_catboost", 1, "catboost", b"CBM1" + good[:100], {}, {**cat_schema, "feature_version": "v0"})
        reg.set_pointer("points_catboost", 1, sha256(b"CBM1" + good[:100]), expected=None)


def registry_faults(ws: Workspace) -> Row:
    rows, refused = [], 0
    for round_ in (0, 1):
        st = ws.stack()
        try:
            _plant(st.store, round_)
            _chain(st, ws.days[:1])
            for name, s in st.worker.models.status().items():   # the two planted; the others have no registry
                planted = name in ("points_xgboost", "points_catboost")
                refused += planted and s["source"] == "bundled" and bool(s["error"])
            rows.append(tally(st, "", 0))
        finally:
            st.stop()
    return Row("registry: pickle planted, missing model, bad sha256, other feature version", 4,
               f"{sum(r.batches.split('/')[0] == r.batches.split('/')[1] for r in rows)}/{len(rows)}",
               sum(r.rows_expected for r in rows), sum(r.rows_written for r in rows), sum(r.duplicates for r in rows),
               sum(r.lost for r in rows), sum(r.dead_lettered for r in rows),
               f"{refused} models refused, bundled fallback used")


def poison_messages(ws: Workspace) -> Row:
    import requests

    st = ws.stack()
    try:
        st.days = ws.days[:1]
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        sub = "projects/local/subscriptions/poison"
        wrong_version = base64.b64encode(json.dumps({"schema_version": 9, "batch_id": "x", "game_date": "2024-01-01",
                                                     "player_id": 1}).encode()).decode()
        bodies = [b"{not json",
                  json.dumps({"message": {"data": "e30=", "messageId": "1"}, "subscription": sub}).encode(),
                  json.dumps({"message": {"data": wrong_version, "messageId": "2"}, "subscription": sub}).encode(),
                  b"x" * 2_000_000]
        codes = {}
        for name, url in (("worker", st.urls["worker"] + "/predict"),
                          ("coordinator", st.urls["coordinator"] + "/complete"),
                          ("orchestrator", st.urls["orchestrator"])):
            for body in bodies:
                try:
                    code = requests.post(url, data=body, headers=headers, timeout=30).status_code
                except requests.ConnectionError:
                    code = "reset"
                codes.setdefault(name, []).append(code)
        _chain(st, ws.days[:1])
        counted = {name: int(deps.metrics.registry.get_sample_value(
            "pipeline_push_messages_total", {"service": name, "outcome": "poison"}))
            for name, deps in (("worker", st.worker), ("coordinator", st.coordinator))}
        summary = "; ".join(f"{k}: {','.join(map(str, v))}" for k, v in codes.items()) + "; counted as poison: " + \
            ", ".join(f"{k} {v}" for k, v in counted.items())
        return tally(st, "poison: bad JSON, bad envelope, wrong schema version, 2 MB payload",
                     sum(map(len, codes.values())), summary)
    finally:
        st.stop()


def orchestrator_race(ws: Workspace, threads: int = 50) -> Row:
    from orchestrator.service import Orchestrator
    from shared.adapters.directory_store import DirectoryStore
    from shared.catalogue import PROCESSOR_NAMES
    from shared.messages import ProcessorCompleted

    class Counting:
        def __init__(self):
            self.calls, self.lock = 0, threading.Lock()

        def start(self, body):
            with self.lock:
                self.calls += 1
            return {"batch_id": "b"}

    starter = Counting()
    orch = Orchestrator(DirectoryStore(ws.home() / "objects"), starter)
    now = datetime.now(UTC)
    events = [ProcessorCompleted(processor=p, game_date=date(2024, 1, 16), status="success", rows=1, run_id=f"r-{p}",
                                 started_at=now, finished_at=now) for p in PROCESSOR_NAMES for _ in range(10)]
    random.Random(3).shuffle(events)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(orch.handle, events))
    return Row(f"{threads} threads racing on orchestrator CAS state", len(events), "1/1" if starter.calls == 1
               else f"{starter.calls}/1", 0, 0, max(starter.calls - 1, 0), 0, 0, f"{starter.calls} /start calls")


def stale_and_gameless_events(ws: Workspace) -> Row:
    import requests

    from shared.messages import ProcessorCompleted

    st = ws.stack()
    try:
        st.days = []
        old = datetime.now(UTC) - timedelta(hours=7)
        event = ProcessorCompleted(processor="ml_feature_store", game_date=ws.days[0], status="success", rows=1,
                                   run_id="stale", started_at=old, finished_at=old)
        body = encode_envelope(event.model_dump_json().encode(), {}, "stale", old.isoformat(),
                               "projects/local/subscriptions/precompute-complete-orchestrator")
        headers = {"ce-id": "stale", "ce-specversion": "1.0",
                   "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
                   "ce-source": "//pubsub.googleapis.com/projects/local/topics/precompute-complete",
                   "ce-time": old.isoformat(), "Content-Type": "application/json",
                   "Authorization": f"Bearer {TOKEN}"}
        code = requests.post(st.urls["orchestrator"], json=body, headers=headers, timeout=30).status_code
        events = nightly(st.warehouse, st.bus, date(2024, 7, 15))      # no games: no_data events
        st.bus.drain()
        batches = len(st.store.list("batches/by_date/"))
        return Row("stale event; processor events for a date with no games", 1 + len(events), "0/0", 0, 0, 0, 0,
                   sum(len(st.bus.messages(t)) for t in topology.DEAD_LETTER_TOPICS),
                   f"stale event answered {code}, dropped; no_data recorded, {batches} batches started")
    finally:
        st.stop()


SCENARIOS = [tripled_shuffled, worker_500s, double_finalise, consolidation_error, registry_faults,
             poison_messages, orchestrator_race, stale_and_gameless_events]
