"""fetch-lines: the odds API v4. The night's events (`/sports/basketball_nba/events`), then
each event's odds for the five player markets (`/events/{id}/odds`), every book kept; each
fetch is a snapshot kept raw under its time, and the lines are imported as `import-lines`
imports the same event odds."""
from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ingest import raw
from ingest.http import FeedError, Http, RetryPolicy, redact_url
from ingest.importer.layouts import ImportValidationError
from ingest.importer.lines import MARKETS, import_lines
from ingest.importer.slate_inputs import EASTERN, UTC, eastern_date, instant
from ingest.recording import recorded
from shared.ports import ObjectStore, Warehouse

log = logging.getLogger("ingest")

FEED = "lines"
POLICY = RetryPolicy(read_s=20.0)
SPORT = "basketball_nba"
REGIONS = "us"
QUOTA = "x-requests-remaining"


@dataclass
class LinesFetch:
    events: int
    rows: int
    players: int
    books: int
    unmatched: list[str]
    requests_remaining: str | None
    raw_keys: list[str] = field(default_factory=list)


def day_window(day: date) -> tuple[str, str]:
    """The ET day as the API's commenceTimeFrom/commenceTimeTo (UTC, whole seconds)."""
    start = datetime.combine(day, time(0), EASTERN)
    end = datetime.combine(day + timedelta(days=1), time(0), EASTERN) - timedelta(seconds=1)
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch(warehouse: Warehouse, store: ObjectStore, http: Http, base_url: str, api_key: str, day: date,
          fetched_at: datetime) -> LinesFetch:
    base = f"{base_url.rstrip('/')}/sports/{SPORT}"
    since, until = day_window(day)
    stamp = raw.stamp(fetched_at)
    with recorded(store, FEED, fetched_at) as outcome:
        listing = http.get(f"{base}/events", params={"apiKey": api_key, "dateFormat": "iso",
                                                     "commenceTimeFrom": since, "commenceTimeTo": until})
        outcome.url = redact_url(listing.url)
        keys = [raw.keep(store, FEED, day, stamp, "events", "json", listing.content)]
        tonight = [e for e in _events(listing.content, outcome.url) if eastern_date(instant(e["commence_time"])) == day]
        got, remaining = [], listing.headers.get(QUOTA)
        for event in tonight:
            response = http.get(f"{base}/events/{event['id']}/odds",
                                params={"apiKey": api_key, "regions": REGIONS, "markets": ",".join(MARKETS),
                                        "oddsFormat": "american", "dateFormat": "iso"})
            outcome.url = redact_url(response.url)
            name = "event-" + re.sub(r"[^A-Za-z0-9.-]", "-", str(event["id"]))
            keys.append(raw.keep(store, FEED, day, stamp, name, "json", response.content))
            got.append((outcome.url, response.content))
            remaining = response.headers.get(QUOTA, remaining)
        if remaining is not None:
            log.info("%s: %s requests left on the odds API key", FEED, remaining)
        done = import_responses(warehouse, got, day, stamp)
        done.events, done.requests_remaining, done.raw_keys = len(tonight), remaining, keys
        outcome.rows, outcome.covers = done.rows, f"{day}: {len(tonight)} events"
        outcome.notes = {"requests_remaining": remaining} if remaining is not None else {}
    return done


def _events(data: bytes, where: str) -> list[dict]:
    listing = _json(data, where)
    if not isinstance(listing, list):
        raise FeedError(FEED, where, "not a list of events (the odds API's /events)")
    for n, event in enumerate(listing):
        for name in ("id", "commence_time"):
            if not isinstance(event, dict) or not event.get(name):
                raise FeedError(FEED, where, f"field [{n}].{name} missing")
        if instant(event["commence_time"]) is None:
            raise FeedError(FEED, where, f"field [{n}].commence_time = {event['commence_time']!r}: not a date and time")
    return listing


def import_responses(warehouse: Warehouse, responses: Iterable[tuple[str, bytes]], day: date,
                     stamp: str) -> LinesFetch:
    """Event odds of one snapshot through the lines importer: every line validated first."""
    responses = list(responses)
    events = []
    for where, data in responses:
        event = _json(data, where)
        if not isinstance(event, dict) or not isinstance(event.get("bookmakers"), list):
            raise FeedError(FEED, where, "field bookmakers missing: not the odds API's event odds")
        events.append(event)
    if not events:
        return LinesFetch(0, 0, 0, 0, [], None)
    with tempfile.TemporaryDirectory(prefix="lines-") as tmp:
        path = Path(tmp) / f"odds_{day}_{stamp}.json"
        path.write_text(json.dumps(events))
        try:
            result = import_lines(warehouse, path)
        except ImportValidationError as exc:
            first = exc.problems[0]
            at = re.match(r"\[(\d+)\]", first.column)
            where = responses[int(at.group(1))][0] if at and int(at.group(1)) < len(responses) else str(path)
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            field_name = re.sub(r"^\[\d+\]\.?", "", first.column) or first.column
            raise FeedError(FEED, where, f"field {field_name} = {first.value!r}: {first.reason}{more}") from None
    return LinesFetch(len(events), result.rows, result.players, result.books, result.unmatched, None)


def _json(data: bytes, where: str):
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise FeedError(FEED, where, "answered something that is not JSON: "
                                     f"{data[:60].decode('utf-8', 'replace').strip()!r}") from None
