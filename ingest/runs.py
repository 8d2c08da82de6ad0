"""Each feed fetched the way its command fetches it, for the CLI (bin/cli/feeds.py,
bin/cli/slate.py) and for `serve`'s loop (bin/nightly.py): the settings' URLs and key, what a
command does when given no dates, and the lines it prints. A fetch that cannot start (no key,
nothing stored to continue from) is a NotFetched, recorded in the feed's freshness like a
failed fetch (the fetchers record their own failures, ingest/recording.py)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ingest import box_scores as box_scores_feed
from ingest import injuries as injuries_feed
from ingest import lines as lines_feed
from ingest import schedule as schedule_feed
from ingest.http import Http
from ingest.importer.schedule import ScheduleFile
from shared import freshness, schedule, timetable
from shared.config import Settings
from shared.ports import ObjectStore, Warehouse

EASTERN = timetable.EASTERN


# A night fetches in this order: box scores first (the processors need the previous game day),
# the schedule before the injury report (a past night's report is the last one before its
# first tip-off, which the schedule gives).
NIGHT_ORDER = freshness.FEEDS


@dataclass(frozen=True)
class Skipped:
    feed: str
    reason: str


def planned(settings: Settings) -> tuple[list[str], list[Skipped]]:
    """The feeds a night fetches (PIPELINE_FEEDS, in NIGHT_ORDER) and those it leaves out, with why."""
    fetched: list[str] = []
    skipped: list[Skipped] = []
    for feed in NIGHT_ORDER:
        if feed not in settings.feeds:
            skipped.append(Skipped(feed, "not in PIPELINE_FEEDS"))
        elif feed == lines_feed.FEED and not settings.odds_api_key:
            skipped.append(Skipped(feed, "ODDS_API_KEY is not set"))
        else:
            fetched.append(feed)
    return fetched, skipped


class NotFetched(Exception):
    """The fetch could not start; the message names the setting or option to give."""


@dataclass
class Fetched:
    said: list[str]                                       # what the command prints, one line each
    unmatched: list[str] = field(default_factory=list)    # names that match no player (kept, not used)
    result: object | None = None                          # the fetcher's own result; None if nothing was fetched

    @property
    def line(self) -> str:
        return "; ".join(self.said)


def _refused(store: ObjectStore, feed: str, now: datetime, message: str) -> NotFetched:
    freshness.record_failure(store, feed, now, message, None)
    return NotFetched(message)


def games_left(warehouse: Warehouse, night: date, now: datetime) -> str | None:
    """None while a game of ``night`` is still to tip off; else why fetching is pointless."""
    tips = [timetable.tipoff_or_default(night, t) for t in schedule.tipoffs(warehouse, night)]
    if not tips:
        return f"no games scheduled on {night}: nothing fetched"
    if now > max(tips):
        return f"every game of {night} has tipped off (the last at {max(tips):%H:%M} ET): nothing fetched"
    return None


def box_scores(settings: Settings, warehouse: Warehouse, store: ObjectStore, now: datetime,
               first: date | None = None, last: date | None = None, night: date | None = None) -> Fetched:
    """``first``..``last``; by default from the day after the last stored game through the day
    before ``night`` (default today, ET)."""
    night = night or now.astimezone(EASTERN).date()
    if first is None or last is None:
        found = box_scores_feed.default_range(warehouse, night)
        if found is None:
            raise _refused(store, box_scores_feed.FEED, now, "no box scores are stored yet, so there is no last game "
                           "to continue from: fetch a range first (bin/pipeline fetch-box-scores --start 2023-10-24 "
                           "--end 2024-04-14) or import a season")
        first, last = found
        if first > last:
            return Fetched([f"box scores are stored through {first - timedelta(days=1)}: nothing to fetch before "
                            f"{night}"])
    began = time.perf_counter()
    done = box_scores_feed.fetch(warehouse, store, Http(box_scores_feed.FEED, box_scores_feed.POLICY),
                                 settings.stats_url, first, last, now)
    r = done.result
    return Fetched([f"box scores {first}..{last}: {r.player_rows} player-games, {r.team_rows} team-games, {r.games} "
                    f"games from {done.requests} request(s) in {time.perf_counter() - began:.1f}s; raw responses "
                    f"under raw/box_scores/{last}/"], result=done)


def schedule_of_season(settings: Settings, warehouse: Warehouse, store: ObjectStore, now: datetime) -> Fetched:
    """The league's schedule feed; kept raw under today's date (ET)."""
    done = schedule_feed.fetch(warehouse, store, Http(schedule_feed.FEED, schedule_feed.POLICY),
                               settings.schedule_url, now.astimezone(EASTERN).date(), now)
    return Fetched([f"downloaded {done.size:,} bytes from {settings.schedule_url} (kept as {done.raw_key})",
                    schedule_summary(settings.schedule_url, done.counts, done.schedule)], result=done)


def schedule_summary(source, counts: dict[str, int], read: ScheduleFile) -> str:
    """What a schedule import wrote, as `import-schedule` and `fetch-schedule` say it."""
    left = "; left out: " + ", ".join(f"{n} {k}" for k, n in read.skipped.items()) if read.skipped else ""
    dates = read.games["game_date"]
    span = f", {dates.min().date()}..{dates.max().date()}" if len(dates) else ""
    return (f"{source}: {counts['games']} games{span} ({counts['final']} already final, "
            f"{counts['postponed']} postponed){left}")


def injuries(settings: Settings, warehouse: Warehouse, store: ObjectStore, now: datetime,
             night: date | None = None, at: datetime | None = None, until_last_tip: bool = False) -> Fetched:
    """The newest report published at or before ``at`` (default: now; for a past ``night``, the
    last one before its first tip-off)."""
    if until_last_tip:
        idle = games_left(warehouse, night or now.astimezone(EASTERN).date(), now)
        if idle is not None:
            return Fetched([f"injuries: {idle}"])
    wanted = injuries_feed.report_time(warehouse, night, at, now)
    done = injuries_feed.fetch(warehouse, store, Http(injuries_feed.FEED, injuries_feed.POLICY), settings.injury_url,
                               night or wanted.astimezone(EASTERN).date(), wanted, now)
    said = [f"{done.report}: {done.rows} players listed ({done.out} out), as of "
            f"{done.as_of.tz_convert(EASTERN):%Y-%m-%d %H:%M} ET ({done.slots_tried} slot(s) asked)"]
    if done.not_submitted:
        said.append(f"not yet submitted: {', '.join(done.not_submitted)}")
    return Fetched(said, done.unmatched, done)


def lines(settings: Settings, warehouse: Warehouse, store: ObjectStore, now: datetime,
          night: date | None = None, until_last_tip: bool = False) -> Fetched:
    """A snapshot of the night's player-prop lines (default: today, ET), every book."""
    night = night or now.astimezone(EASTERN).date()
    if until_last_tip:
        idle = games_left(warehouse, night, now)
        if idle is not None:
            return Fetched([f"lines: {idle}"])
    if not settings.odds_api_key:
        raise _refused(store, lines_feed.FEED, now, "ODDS_API_KEY is not set: the odds API needs a key (on Google "
                       "Cloud it comes from Secret Manager)")
    began = time.perf_counter()
    done = lines_feed.fetch(warehouse, store, Http(lines_feed.FEED, lines_feed.POLICY, secrets=[settings.odds_api_key]),
                            settings.odds_url, settings.odds_api_key, night, now)
    quota = f"; {done.requests_remaining} requests left on the key" if done.requests_remaining is not None else ""
    return Fetched([f"lines for {night}: {done.rows} lines for {done.players} players from {done.books} book(s), "
                    f"{done.events} event(s) in {time.perf_counter() - began:.1f}s{quota}"], done.unmatched, done)
