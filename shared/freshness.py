"""How fresh each feed is: one typed document per feed in the object store, written by the
fetchers (ingest/) and read by the CLI's `feeds`, /health/deep and the console. Why the
object store and not the warehouse: docs/INGEST.md."""
from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from shared import cas
from shared.ports import NotFound, ObjectStore

FEEDS = ("box_scores", "schedule", "injuries", "lines")


class FeedStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feed: str
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    rows: int | None = None             # rows the last success wrote
    covers: str | None = None           # what the last success brought: dates, a report, a snapshot
    url: str | None = None              # the last URL asked, without credentials
    last_error: str | None = None
    last_error_at: datetime | None = None
    notes: dict[str, str] = Field(default_factory=dict)   # per source: requests_remaining, not_submitted

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_success_at is None else now - self.last_success_at

    @property
    def failing(self) -> bool:
        """The last attempt failed (an error newer than the last success)."""
        return self.last_error_at is not None and (self.last_success_at is None
                                                   or self.last_error_at > self.last_success_at)


def key(feed: str) -> str:
    if feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}; known: {', '.join(FEEDS)}")
    return f"feeds/{feed}.json"


def read(store: ObjectStore, feed: str) -> FeedStatus:
    try:
        doc, _ = cas.load(store, key(feed))
    except NotFound:
        return FeedStatus(feed=feed)
    return FeedStatus.model_validate(doc)


def read_all(store: ObjectStore) -> list[FeedStatus]:
    return [read(store, feed) for feed in FEEDS]


def _update(store: ObjectStore, feed: str, **changes) -> FeedStatus:
    def mutate(doc: dict) -> FeedStatus:
        status = FeedStatus.model_validate(doc).model_copy(update=changes)
        doc.clear()
        doc.update(status.model_dump(mode="json"))
        return status

    return cas.update(store, key(feed), mutate, initial=lambda: {"feed": feed})


def record_success(store: ObjectStore, feed: str, at: datetime, rows: int, covers: str, url: str | None,
                   notes: dict[str, str] | None = None) -> FeedStatus:
    return _update(store, feed, last_attempt_at=at, last_success_at=at, rows=rows, covers=covers, url=url,
                   notes=dict(notes or {}))


def record_failure(store: ObjectStore, feed: str, at: datetime, error: str, url: str | None) -> FeedStatus:
    return _update(store, feed, last_attempt_at=at, last_error=error, last_error_at=at, url=url)
