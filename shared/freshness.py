"""How fresh each feed is: one typed document per feed in the object store, written by the
fetchers (ingest/) and read by the CLI's `feeds`, /health/deep and the console. Why the
object store and not the warehouse: docs/INGEST.md."""
from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from shared import cas
from shared.ports import NotFound, ObjectStore

FEEDS = ("box_scores", "schedule", "injuries", "lines")
# A feed is stale once its last success is older than its cadence allows: box scores and the
# schedule are fetched once a day (30 h leaves a late morning's slack), the injury report every
# 15 minutes (1 h: three slots missed), the lines every 30 minutes (90 min: two snapshots missed).
MAX_AGE = {"box_scores": timedelta(hours=30), "schedule": timedelta(hours=30),
           "injuries": timedelta(hours=1), "lines": timedelta(minutes=90)}


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

    def stale(self, now: datetime) -> bool:
        """The last success is older than the feed's cadence allows; a feed never fetched is
        not stale (it is "never": a night fed by files has no fetches)."""
        age = self.age(now)
        return age is not None and age > MAX_AGE[self.feed]

    def state(self, now: datetime) -> str:
        """One word for people and /health/deep: failing, stale, never or ok."""
        if self.failing:
            return "failing"
        if self.stale(now):
            return "stale"
        return "never" if self.last_success_at is None else "ok"

    def degraded(self, now: datetime) -> bool:
        return self.state(now) in ("failing", "stale")

    def health(self, now: datetime) -> dict:
        """What /health/deep says about the feed."""
        age = self.age(now)
        return {"state": self.state(now), "last_success_at": _iso(self.last_success_at),
                "age_s": None if age is None else round(age.total_seconds()),
                "max_age_s": round(MAX_AGE[self.feed].total_seconds()), "rows": self.rows,
                "last_error": self.last_error if self.failing else None,
                "last_error_at": _iso(self.last_error_at) if self.failing else None}


def age_text(age: timedelta) -> str:
    """An age as people read it: 2d 3h, 4h 05m, 12m."""
    minutes = int(age.total_seconds() // 60)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    return f"{days}d {hours}h" if days else f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def limits_text() -> str:
    """When each feed turns stale, for a note under a table: box_scores 30 h, ..., lines 90 min."""
    def limit(age: timedelta) -> str:
        minutes = int(age.total_seconds() // 60)
        return f"{minutes // 60} h" if minutes % 60 == 0 and minutes > 60 else f"{minutes} min"
    return ", ".join(f"{feed} {limit(MAX_AGE[feed])}" for feed in FEEDS)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


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
