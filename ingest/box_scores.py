"""Box scores from the league stats API: the player game log (`leaguegamelog`,
PlayerOrTeam=P) per season and season type over a date range, sent by nba_api (it keeps the
headers the API insists on), read in the API's own layout and imported by the box-score
importer, all or nothing."""
from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import requests
from nba_api.stats.endpoints.leaguegamelog import LeagueGameLog
from nba_api.stats.library.http import STATS_HEADERS, NBAStatsHTTP, NBAStatsResponse

from ingest import raw
from ingest.http import FeedError, Http, RetryPolicy, redact_url
from ingest.importer import ImportResult, ImportValidationError, load_files, write_players
from ingest.importer.layouts import REGULAR
from ingest.importer.schedule import GAME_TYPES
from ingest.recording import recorded
from shared import tables
from shared.ports import ObjectStore, Warehouse

FEED = "box_scores"
POLICY = RetryPolicy(read_s=60.0)          # a season's log is several MB and the API is slow
RESULT_SET = "LeagueGameLog"
SEASON_TYPES = {"regular": "Regular Season", "playin": "PlayIn", "playoffs": "Playoffs"}
POSTSEASON_MONTHS = range(4, 11)           # play-in and playoffs: April to June, October in 2020
# the columns the importer reads, as the API names them; SEASON_LABEL is ours, from SEASON_ID
REQUIRED = [c for c in REGULAR if c != "SEASON_LABEL"]
# nba_api's headers, less Host (the base URL is a setting) and brotli (no decoder is installed)
HEADERS = {**{k: v for k, v in STATS_HEADERS.items() if k != "Host"}, "Accept-Encoding": "gzip, deflate"}


def season_of(day: date) -> str:
    """A season starts in October (December after a lockout) and ends by June; the 2019-20
    season ran on to 2020-10-11."""
    start = day.year if day.month >= 10 and (day.year, day.month) != (2020, 10) else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class Request:
    season: str
    season_type: str          # a key of SEASON_TYPES
    start: date
    end: date

    @property
    def what(self) -> str:
        return f"{self.season}_{self.season_type}"

    @property
    def parameters(self) -> dict:
        return LeagueGameLog(get_request=False, player_or_team_abbreviation="P", season=self.season,
                             season_type_all_star=SEASON_TYPES[self.season_type],
                             date_from_nullable=f"{self.start:%m/%d/%Y}",
                             date_to_nullable=f"{self.end:%m/%d/%Y}").parameters


def plan(start: date, end: date) -> list[Request]:
    """One request per season and season type the range touches (post-season types only
    when it touches a post-season month)."""
    days: dict[str, list[date]] = {}
    for n in range((end - start).days + 1):
        day = start + timedelta(days=n)
        days.setdefault(season_of(day), []).append(day)
    out = []
    for season, in_season in days.items():
        kinds = ["regular"]
        if any(d.month in POSTSEASON_MONTHS for d in in_season):
            kinds += ["playin", "playoffs"]
        out += [Request(season, kind, in_season[0], in_season[-1]) for kind in kinds]
    return out


class _StatsClient(NBAStatsHTTP):
    """nba_api's stats client with our base URL and our session (its own session is a
    process-wide class attribute)."""

    def __init__(self, base_url: str, session: requests.Session):
        self.base_url = base_url.rstrip("/") + "/{endpoint}"
        self._session_of_this_client = session

    def get_session(self):
        return self._session_of_this_client


@dataclass
class BoxScoreFetch:
    result: ImportResult
    requests: int
    raw_keys: list[str]


def default_range(warehouse: Warehouse, today: date) -> tuple[date, date] | None:
    """The day after the last stored game through yesterday; None when nothing is stored."""
    last = warehouse.query(f"SELECT MAX(game_date) AS d FROM {tables.PLAYER_GAME_SUMMARY.fqn}")["d"].iloc[0]
    if last is None or pd.isna(last):
        return None
    return (pd.Timestamp(last).date() + timedelta(days=1), today - timedelta(days=1))


def fetch(warehouse: Warehouse, store: ObjectStore, http: Http, base_url: str, start: date, end: date,
          fetched_at: datetime) -> BoxScoreFetch:
    """Every request of the range, each kept raw as it arrives, then one import."""
    with recorded(store, FEED, fetched_at) as outcome:
        # nba_api hands back only the decoded text; the retry policy needs the status and
        # Retry-After, and the archive the bytes: the session hands us the whole response
        client, captured = _StatsClient(base_url, http.session), []
        http.session.hooks["response"] = [lambda response, *args, **kwargs: captured.append(response)]
        stamp, got, keys = raw.stamp(fetched_at), [], []
        requests_made = plan(start, end)
        for request in requests_made:
            params = request.parameters
            url = requests.Request("GET", f"{base_url.rstrip('/')}/leaguegamelog",
                                   params=sorted(params.items())).prepare().url or base_url
            outcome.url = redact_url(url)

            def once(params=params):
                captured.clear()
                client.send_api_request(endpoint="leaguegamelog", parameters=params, headers=HEADERS,
                                        timeout=http.timeout)
                return captured[-1]

            response = http.send(once, url)
            keys.append(raw.keep(store, FEED, end, stamp, request.what, "json", response.content))
            got.append((outcome.url, response.content))
        result = import_responses(warehouse, got, stamp)
        outcome.rows, outcome.covers = result.player_rows, f"{start}..{end}"
    return BoxScoreFetch(result, len(requests_made), keys)


def read(data: bytes, where: str) -> tuple[list[str], list[list]]:
    """The LeagueGameLog result set's headers and rows, read by nba_api's response class."""
    try:
        sets = NBAStatsResponse(response=data.decode("utf-8"), status_code=200, url=where).get_data_sets()
    except (UnicodeDecodeError, ValueError):
        raise FeedError(FEED, where, f"answered something that is not JSON: {_start_of(data)}") from None
    except (KeyError, TypeError, AttributeError):
        raise FeedError(FEED, where, "field resultSets missing: not the stats API's resultSets layout") from None
    found = sets.get(RESULT_SET) or next(iter(sets.values()), None)
    if found is None:
        raise FeedError(FEED, where, f"field resultSets[0] missing (no {RESULT_SET} result set)")
    headers, rows = list(found["headers"]), found["data"]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise FeedError(FEED, where, f"field {', '.join(missing)} missing from resultSets[0].headers "
                                     f"(renamed or removed by the API?)")
    for n, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(headers):
            raise FeedError(FEED, where, f"resultSets[0].rowSet[{n}] does not have the {len(headers)} values "
                                         "the headers name")
    return headers, rows


def import_responses(warehouse: Warehouse, responses: Iterable[tuple[str, bytes]], stamp: str) -> ImportResult:
    """The responses of one run, in the API's layout, through the box-score importer: every
    row validated before anything is written."""
    with tempfile.TemporaryDirectory(prefix="box_scores-") as tmp:
        paths, where_of = [], {}
        for n, (where, data) in enumerate(responses):
            headers, rows = read(data, where)
            if not rows:
                continue   # a season type with no games in the range
            path = Path(tmp) / f"leaguegamelog_{stamp}_{n}.csv"
            _write_csv(path, headers, rows)
            paths.append(path)
            where_of[str(path)] = where
        if not paths:
            return ImportResult(files=0, player_rows=0, did_not_play=0, team_rows=0, games=0, first_date=None,
                                last_date=None)
        try:
            players = load_files(paths)
        except ImportValidationError as exc:
            first = exc.problems[0]
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            raise FeedError(FEED, where_of.get(first.file, first.file),
                            f"resultSets[0].rowSet[{max(first.line - 2, 0)}] field {first.column} = "
                            f"{first.value!r}: {first.reason}{more}") from None
    # the game id says what kind of game it was; the player-log layout alone cannot
    players["season_type"] = players["game_id"].str[:3].map(GAME_TYPES).fillna(players["season_type"])
    return write_players(warehouse, players, len(paths))


def _write_csv(path: Path, headers: list[str], rows: list[list]) -> None:
    """The result set as the player-log CSV the importer reads: the API's columns in its
    order, then SEASON_LABEL (2023-24) from SEASON_ID (22023)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow([*headers, "SEASON_LABEL"])
        at = headers.index("SEASON_ID") if "SEASON_ID" in headers else None
        for row in rows:
            out.writerow([*("" if v is None else v for v in row), _label(row[at] if at is not None else None)])


def _label(season_id) -> str:
    text = str(season_id or "")
    if len(text) != 5 or not text.isdigit():
        return text   # the importer names the value it cannot read
    start = int(text[1:])
    return f"{start}-{(start + 1) % 100:02d}"


def _start_of(data: bytes) -> str:
    return repr(data[:60].decode("utf-8", "replace").strip())
