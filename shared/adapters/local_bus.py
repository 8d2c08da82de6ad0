"""Publisher and durable push bus for the embedded default.

A published message is committed to SQLite with one delivery row per push subscription
(from ``shared.topology``) before ``publish`` returns. A dispatcher leases due deliveries,
POSTs the envelope Pub/Sub sends over real HTTP, acks on 2xx, otherwise retries with
exponential backoff and dead-letters after the subscription's max attempts. A lease that
expires (the process died mid-delivery) makes the delivery due again: nothing is lost.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from pydantic import BaseModel

from shared import topology
from shared.pubsub import encode_envelope

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT PRIMARY KEY, topic TEXT NOT NULL, data BLOB NOT NULL,
    attributes TEXT NOT NULL, publish_time TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, subscription TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL, lease_until REAL NOT NULL DEFAULT 0,
    last_status INTEGER, last_error TEXT, UNIQUE (message_id, subscription));
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
"""


@dataclass
class DrainStats:
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0
    attempts: int = 0
    statuses: dict = field(default_factory=dict)


class LocalBus:
    """Publisher port + push delivery. ``endpoints`` maps service name -> base URL."""

    def __init__(self, path: Path | str, endpoints: Mapping[str, str] | None = None,
                 concurrency: int = 16, backoff_scale: float = 1.0,
                 subscriptions: Iterable[topology.Subscription] = topology.SUBSCRIPTIONS,
                 headers: Mapping[str, str] | None = None, shuffle: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.endpoints = dict(endpoints or {})
        self.subscriptions = {s.name: s for s in subscriptions}
        self.backoff_scale = backoff_scale
        self.order = "RANDOM()" if shuffle else "d.id"     # shuffle: fault tests reorder deliveries
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bus")
        self._http = requests.Session()
        # one pooled connection per dispatcher thread, so deliveries reuse connections
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=concurrency)
        self._http.mount("http://", adapter)
        self._http.headers.update(headers or {})   # e.g. the bearer token push endpoints check
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread, kept: opening SQLite per call costs more than the call."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process (the promise); an OS crash may lose the last commit
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    # -- Publisher port ---------------------------------------------------------------------
    def publish(self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None) -> str:
        return self.publish_many(topic, [message], attributes)[0]

    def publish_many(self, topic: str, messages: Iterable[BaseModel],
                     attributes: Mapping[str, str] | None = None) -> list[str]:
        if topic not in topology.ALL_TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        subs = [name for name, s in self.subscriptions.items() if s.topic == topic]
        now, stamp = time.time(), datetime.now(UTC).isoformat()
        attrs = json.dumps(dict(attributes or {}))
        ids: list[str] = []
        msg_rows: list[tuple] = []
        del_rows: list[tuple] = []
        for message in messages:
            mid = uuid.uuid4().hex
            ids.append(mid)
            msg_rows.append((mid, topic, message.model_dump_json().encode(), attrs, stamp))
            del_rows.extend((mid, s, now) for s in subs)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", msg_rows)
            db.executemany("INSERT INTO deliveries (message_id, subscription, next_attempt_at) "
                           "VALUES (?, ?, ?)", del_rows)
            db.execute("COMMIT")
        self._wake.set()
        return ids

    # -- delivery ---------------------------------------------------------------------------
    def _claim(self, due_before: float, limit: int) -> list[tuple]:
        served = [n for n, s in self.subscriptions.items() if s.service in self.endpoints]
        if not served:
            return []
        now = time.time()
        marks = ",".join("?" * len(served))
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                f"SELECT d.id, d.message_id, d.subscription, d.attempts + 1, m.data, m.attributes, "
                f"m.publish_time FROM deliveries d JOIN messages m USING (message_id) "
                f"WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.lease_until <= ? "
                f"AND d.subscription IN ({marks}) ORDER BY {self.order} LIMIT ?",
                (due_before, now, *served, limit)).fetchall()
            for row in rows:
                lease = now + self.subscriptions[row[2]].ack_deadline_s
                db.execute("UPDATE deliveries SET attempts = attempts + 1, lease_until = ? WHERE id = ?",
                           (lease, row[0]))
            db.execute("COMMIT")
        return rows

    def _post(self, row: tuple) -> tuple[tuple, int | None, str | None]:
        _, mid, sub_name, attempt, data, attrs, publish_time = row
        sub = self.subscriptions[sub_name]
        url = self.endpoints[sub.service].rstrip("/") + sub.path
        body = encode_envelope(data, json.loads(attrs), mid, publish_time,
                               f"projects/local/subscriptions/{sub_name}", attempt)
        try:
            resp = self._http.post(url, json=body, timeout=max(sub.ack_deadline_s, 1))
            return row, resp.status_code, None
        except requests.RequestException as exc:
            return row, None, f"{type(exc).__name__}: {exc}"

    def _record(self, db: sqlite3.Connection, row: tuple, status: int | None, error: str | None,
                stats: DrainStats) -> None:
        delivery_id, mid, sub_name, attempt, data, attrs, _ = row
        sub = self.subscriptions[sub_name]
        stats.attempts += 1
        stats.statuses[status] = stats.statuses.get(status, 0) + 1
        if status is not None and 200 <= status < 300:
            db.execute("UPDATE deliveries SET state='acked', last_status=? WHERE id=?", (status, delivery_id))
            stats.delivered += 1
        elif attempt >= sub.max_delivery_attempts:
            db.execute("UPDATE deliveries SET state='dead', last_status=?, last_error=? WHERE id=?",
                       (status, error, delivery_id))
            db.execute("INSERT OR IGNORE INTO messages VALUES (?, ?, ?, ?, ?)",
                       (f"{mid}-dl-{sub_name}", sub.dead_letter_topic, data, attrs,
                        datetime.now(UTC).isoformat()))
            stats.dead_lettered += 1
            log.error("message dead-lettered after %d attempts", attempt,
                      extra={"message_id": mid, "subscription": sub_name, "last_status": status})
        else:
            delay = min(sub.max_backoff_s, sub.min_backoff_s * 2 ** (attempt - 1)) * self.backoff_scale
            db.execute("UPDATE deliveries SET next_attempt_at=?, lease_until=0, last_status=?, "
                       "last_error=? WHERE id=?", (time.time() + delay, status, error, delivery_id))
            stats.retried += 1

    def deliver_due(self, ignore_backoff: bool = False, limit: int = 256) -> DrainStats:
        """One pass: deliver every due delivery (concurrently) and record the outcomes."""
        stats = DrainStats()
        rows = self._claim(float("inf") if ignore_backoff else time.time(), limit)
        outcomes = list(self._pool.map(self._post, rows))
        if outcomes:
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                for row, status, error in outcomes:
                    self._record(db, row, status, error, stats)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return stats

    def drain(self, max_rounds: int = 1000, ignore_backoff: bool = True) -> DrainStats:
        """Deliver until nothing is pending (tests and one-shot CLI runs use this)."""
        total = DrainStats()
        for _ in range(max_rounds):
            stats = self.deliver_due(ignore_backoff=ignore_backoff)
            for k in ("delivered", "retried", "dead_lettered", "attempts"):
                setattr(total, k, getattr(total, k) + getattr(stats, k))
            for k, v in stats.statuses.items():
                total.statuses[k] = total.statuses.get(k, 0) + v
            if stats.attempts == 0 and not self.pending():
                return total
            if stats.attempts == 0:
                self._wake.wait(0.05)  # deliveries leased by another process; wait for their lease
                self._wake.clear()
        raise RuntimeError(f"bus not drained after {max_rounds} rounds: {self.pending()} pending")

    def pending(self) -> int:
        served = [n for n, s in self.subscriptions.items() if s.service in self.endpoints]
        marks = ",".join("?" * len(served)) or "''"
        with self._connect() as db:
            return db.execute(f"SELECT COUNT(*) FROM deliveries WHERE state='pending' "
                              f"AND subscription IN ({marks})", served).fetchone()[0]

    def messages(self, topic: str) -> list[dict]:
        with self._connect() as db:
            rows = db.execute("SELECT data FROM messages WHERE topic=? ORDER BY rowid", (topic,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def delivery_counts(self) -> dict[str, int]:
        with self._connect() as db:
            return dict(db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())

    # -- background dispatcher -----------------------------------------------------------------
    def start(self) -> None:
        """Start dispatching. On the embedded default exactly one process dispatches (the one
        holding the warehouse), so leases left by a killed predecessor are reclaimed at once
        instead of waiting out their ack deadlines."""
        if self._thread is None:
            with self._connect() as db:
                reclaimed = db.execute("UPDATE deliveries SET lease_until = 0 WHERE state = 'pending' "
                                       "AND lease_until > 0").rowcount
            if reclaimed:
                log.warning("reclaimed %d deliveries leased by a process that stopped", reclaimed)
            self._thread = threading.Thread(target=self._run, name="bus-dispatcher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stats = self.deliver_due()
            except Exception:
                log.exception("bus dispatch pass failed")
                stats = DrainStats()
            if stats.attempts == 0:
                self._wake.wait(0.5)
                self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._pool.shutdown(wait=True)
