"""One fetch of each feed as the settings configure it: the source's URL and key, its retry
policy, and the dates a night needs. The fetch commands and `daily` call these, so a night
fetched by cron and a command typed by hand run the same code. Each returns what its fetcher
returned (or a Skipped saying why there was nothing to do) and raises FeedError when the
source fails, NotConfigured when the settings or the warehouse leave nothing to fetch from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ingest import box_scores as box_scores_feed
from ingest import injuries as injuries_feed
from ingest import lines as lines_feed
from ingest import schedule as schedule_feed
from ingest.http import Http
from ingest.injury_slots import EASTERN
from shared.config import Settings
from shared.freshness import FEEDS
from shared.ports import ObjectStore, Warehouse

# A night fetches in this order: box scores first (the processors need the previous game day),
# the schedule before the injury report (a past night's report is the last one before its
# first tip-off, which the schedule gives).
NIGHT_ORDER = FEEDS


class NotConfigured(RuntimeError):
    """The feed cannot be fetched as things stand; the message says what to set or load."""


@dataclass(frozen=True)
class Skipped:
    feed: str
    reason: str


def planned(settings: Settings) -> tuple[list[str], list[Skipped]]:
    """The feeds a night fetches (PIPELINE_FEEDS, in NIGHT_ORDER) and those it leaves out, with why."""
    fetched, skipped = [], []
    for feed in NIGHT_ORDER:
        if feed not in settings.feeds:
            skipped.append(Skipped(feed, "not in PIPELINE_FEEDS"))
        elif feed == lines_feed.FEED and not settings.odds_api_key:
            skipped.append(Skipped(feed, "ODDS_API_KEY is not set"))
        else:
            fetched.append(feed)
    return fetched, skipped


def box_scores(settings: Settings, warehouse: Warehouse, store: ObjectStore, first: date, last: date,
               now: datetime) -> box_scores_feed.BoxScoreFetch:
    http = Http(box_scores_feed.FEED, box_scores_feed.POLICY)
    return box_scores_feed.fetch(warehouse, store, http, settings.stats_url, first, last, now)


def box_scores_range_before(warehouse: Warehouse, night: date) -> tuple[date, date] | Skipped:
    """The day after the last stored game through the day before ``night``."""
    found = box_scores_feed.default_range(warehouse, night)
    if found is None:
        raise NotConfigured("no box scores are stored yet, so there is no last game to continue from: fetch a "
                            "range (bin/pipeline fetch-box-scores --start 2023-10-24 --end 2024-04-14) or import "
                            "a season first")
    first, last = found
    if first > last:
        return Skipped(box_scores_feed.FEED, f"stored through {first - timedelta(days=1)}: nothing to fetch "
                                             f"before {night}")
    return first, last


def schedule(settings: Settings, warehouse: Warehouse, store: ObjectStore,
             now: datetime) -> schedule_feed.ScheduleFetch:
    http = Http(schedule_feed.FEED, schedule_feed.POLICY)
    return schedule_feed.fetch(warehouse, store, http, settings.schedule_url, now.astimezone(EASTERN).date(), now)


def injuries(settings: Settings, warehouse: Warehouse, store: ObjectStore, night: date | None, at: datetime | None,
             now: datetime) -> injuries_feed.InjuryFetch:
    """The newest report at or before ``at``; without it, for a night whose first tip-off has
    passed, the last one before that tip-off; else the newest now."""
    wanted = injuries_feed.report_time(warehouse, night, at, now)
    http = Http(injuries_feed.FEED, injuries_feed.POLICY)
    return injuries_feed.fetch(warehouse, store, http, settings.injury_url,
                               night or wanted.astimezone(EASTERN).date(), wanted, now)


def odds_api_key(settings: Settings) -> str:
    if not settings.odds_api_key:
        raise NotConfigured("ODDS_API_KEY is not set: the odds API needs a key (on Google Cloud it comes from "
                            "Secret Manager)")
    return settings.odds_api_key


def lines(settings: Settings, warehouse: Warehouse, store: ObjectStore, night: date,
          now: datetime) -> lines_feed.LinesFetch:
    key = odds_api_key(settings)
    http = Http(lines_feed.FEED, lines_feed.POLICY, secrets=[key])
    return lines_feed.fetch(warehouse, store, http, settings.odds_url, key, night, now)
