"""The raw archive: every response a fetch receives, kept create-only in the object store
before anything reads it, so a parser fix can be replayed over what the sources said.

Key: ``raw/{feed}/{date}/{fetched_at}_{what}.{ext}`` (docs/INGEST.md). ``fetched_at`` is the
run's start, shared by every response of one run; ``what`` names the request."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from shared.ports import ObjectStore

STAMP = "%Y%m%dT%H%M%S.%fZ"
_WHAT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*(_[A-Za-z0-9.-]+)*")
_NAME = re.compile(r"(?P<stamp>\d{8}T\d{6}\.\d{6}Z)_(?P<what>.+)\.(?P<ext>json|pdf)")


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(STAMP)


def prefix(feed: str, day: date) -> str:
    return f"raw/{feed}/{day.isoformat()}/"


def key(feed: str, day: date, fetched_at: str, what: str, ext: str) -> str:
    if not _WHAT.fullmatch(what):
        raise ValueError(f"raw object name {what!r}: letters, digits, '.', '-' and '_' only")
    return f"{prefix(feed, day)}{fetched_at}_{what}.{ext}"


@dataclass(frozen=True)
class Stored:
    key: str
    what: str
    data: bytes


@dataclass(frozen=True)
class Run:
    fetched_at: str
    responses: list[Stored]


def keep(store: ObjectStore, feed: str, day: date, fetched_at: str, what: str, ext: str, data: bytes) -> str:
    """Write one response create-only; an existing key is never replaced."""
    where = key(feed, day, fetched_at, what, ext)
    store.write(where, data, if_generation_match=0)
    return where


def runs(store: ObjectStore, feed: str, day: date) -> list[Run]:
    """Every stored run of a feed for a night, oldest first, its responses sorted by name."""
    by_stamp: dict[str, list[Stored]] = {}
    for name in store.list(prefix(feed, day)):
        found = _NAME.fullmatch(name.rsplit("/", 1)[-1])
        if found is None:
            continue   # not an archive object (a stray upload): nothing a replay can name
        by_stamp.setdefault(found["stamp"], []).append(Stored(name, found["what"], store.read(name).data))
    return [Run(s, sorted(by_stamp[s], key=lambda r: r.key)) for s in sorted(by_stamp)]
