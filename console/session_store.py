"""Console sessions kept on the server, so that signing out ends a session everywhere and a
cookie saved before it opens nothing. The signed cookie holds only a random session id and
the CSRF token; the record, ``console/sessions/{id}.json`` in the object store, says who
and since when. The object store is the place every console instance shares (Cloud Run may
run several): a directory on the embedded default, the bucket on GCP.

A session ends at sign-out, ABSOLUTE after sign-in, or after IDLE without a request,
whichever comes first. Records outlive a restart on purpose: Cloud Run replaces instances
at will, and what made a surviving cookie a risk was that nothing could end it early."""
from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.ports import NotFound, ObjectStore, PreconditionFailed

ABSOLUTE = timedelta(hours=8)
IDLE = timedelta(hours=1)
TOUCH_EVERY = timedelta(minutes=5)    # seen_at is rewritten at most this often: one write per session per 5 min
log = logging.getLogger(__name__)
PREFIX = "console/sessions/"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")   # secrets.token_urlsafe(32)


class SessionRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str
    started_at: datetime
    seen_at: datetime


class SessionStore:
    def __init__(self, store: ObjectStore, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.store = store
        self.now = now

    def start(self, user: str) -> str:
        """A new session for ``user``; its id goes into the cookie."""
        self.sweep()
        sid = secrets.token_urlsafe(32)
        at = self.now()
        self.store.write(_key(sid), SessionRecord(user=user, started_at=at, seen_at=at).model_dump_json().encode(),
                         if_generation_match=0)
        return sid

    def user(self, sid: object) -> str | None:
        """Who the session belongs to, or None when it was never started, was revoked or has
        expired (an expired record is deleted)."""
        if not isinstance(sid, str) or not SESSION_ID.fullmatch(sid):
            return None
        found = self._read(sid)
        if found is None:
            return None
        record, generation = found
        now = self.now()
        if self._expired(record, now):
            self.revoke(sid)
            return None
        if now - record.seen_at >= TOUCH_EVERY:
            touched = record.model_copy(update={"seen_at": now}).model_dump_json().encode()
            try:   # only the version read: a revoked (deleted) record must not come back
                self.store.write(_key(sid), touched, if_generation_match=generation)
            except PreconditionFailed:
                return record.user if self._read(sid) is not None else None
        return record.user

    def revoke(self, sid: object) -> None:
        if isinstance(sid, str) and SESSION_ID.fullmatch(sid):
            try:
                self.store.delete(_key(sid))
            except NotFound:
                pass   # already ended

    def sweep(self) -> int:
        """Delete the records of sessions that have expired; how many."""
        gone, now = 0, self.now()
        for key in self.store.list(PREFIX):
            sid = key[len(PREFIX):].removesuffix(".json")
            found = self._read(sid)
            if found is not None and self._expired(found[0], now):
                self.revoke(sid)
                gone += 1
        return gone

    def _read(self, sid: str) -> tuple[SessionRecord, int] | None:
        try:
            blob = self.store.read(_key(sid))
        except NotFound:
            return None
        try:
            return SessionRecord.model_validate_json(blob.data), blob.generation
        except ValidationError:
            log.warning("session record %s is not a session record; it opens nothing", _key(sid), exc_info=True)
            return None

    @staticmethod
    def _expired(record: SessionRecord, now: datetime) -> bool:
        return now - record.started_at >= ABSOLUTE or now - record.seen_at >= IDLE


def _key(sid: str) -> str:
    return f"{PREFIX}{sid}.json"
