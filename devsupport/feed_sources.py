"""The public feeds' sources on 127.0.0.1 for tests and benchmarks, answering from recorded
responses in their real layouts (tests/fixtures/feeds/), with scripted faults: the stats
API (`/stats/leaguegamelog`, filtered by Season, SeasonType and DateFrom/DateTo as the API
does), the injury report folder (`/referee/injury/Injury-Report_*.pdf`, 403 for a slot not
published), the odds API v4 (`/v4/sports/basketball_nba/events` and
`.../events/{id}/odds`, key checked, quota headers) and the league schedule feed."""
from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime

from werkzeug.wrappers import Request, Response

from devsupport import ROOT
from devsupport.feed_layouts import compact, player_log_response
from devsupport.loopback import LoopbackServer

FIXTURES = ROOT / "tests" / "fixtures" / "feeds"
API_KEY = "test-odds-key-5d1f0c"
SCHEDULE_PATH = "/static/json/staticData/scheduleLeagueV2.json"
SEASON_TYPE_PREFIX = {"Regular Season": "002", "PlayIn": "005", "Playoffs": "004"}
ACCESS_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
                 b'<Message>Access Denied</Message></Error>')


@dataclass
class Fault:
    """One scripted answer, used instead of the recorded one."""
    status: int = 500
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict = field(default_factory=dict)


def html_page(status_text: str = "Access Denied") -> Fault:
    return Fault(200, f"<html><head><title>{status_text}</title></head><body><h1>{status_text}</h1></body></html>"
                 .encode(), "text/html")


class Sources(LoopbackServer):
    def __init__(self):
        recorded = json.loads((FIXTURES / "stats_leaguegamelog_players.json").read_text())
        self.stats_headers = recorded["resultSets"][0]["headers"]
        self.stats_rows = recorded["resultSets"][0]["rowSet"]
        self.events = json.loads((FIXTURES / "odds_events_2024-01-16.json").read_text())
        self.event_odds = {e["id"]: e for e in json.loads((FIXTURES / "odds_event_odds_2024-01-16.json").read_text())}
        self.reports: dict[str, bytes] = {}          # Injury-Report_... .pdf -> the PDF
        self.schedule: bytes | None = None           # the scheduleLeagueV2 feed
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)   # path -> answers to give first
        self.requests: list[dict] = []
        self.requests_remaining = 480
        self._lock = threading.Lock()
        super().__init__()

    # the settings a test gives the CLI or the fetchers
    @property
    def stats_url(self) -> str:
        return f"{self.url}/stats"

    @property
    def injury_url(self) -> str:
        return f"{self.url}/referee/injury"

    @property
    def odds_url(self) -> str:
        return f"{self.url}/v4"

    @property
    def schedule_url(self) -> str:
        return f"{self.url}{SCHEDULE_PATH}"

    def env(self) -> dict[str, str]:
        return {"PIPELINE_STATS_URL": self.stats_url, "PIPELINE_INJURY_URL": self.injury_url,
                "PIPELINE_ODDS_URL": self.odds_url, "ODDS_API_KEY": API_KEY, "PIPELINE_SCHEDULE_URL": self.schedule_url}

    def fail(self, path: str, *faults: Fault) -> None:
        self.faults[path].extend(faults)

    def asked(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def _app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.requests.append({"path": request.path, "args": dict(request.args), "headers": dict(request.headers)})
            fault = self.faults[request.path].popleft() if self.faults[request.path] else None
        if fault is not None:
            response = Response(fault.body, status=fault.status, content_type=fault.content_type,
                                headers=fault.headers)
        elif request.path == "/stats/leaguegamelog":
            response = self._stats(request)
        elif request.path.startswith("/referee/injury/"):
            name = request.path.rsplit("/", 1)[-1]
            found = self.reports.get(name)
            response = (Response(found, content_type="application/pdf") if found is not None
                        else Response(ACCESS_DENIED, status=403, content_type="application/xml"))
        elif request.path.startswith("/v4/sports/basketball_nba/events"):
            response = self._odds(request)
        elif request.path == SCHEDULE_PATH and self.schedule is not None:
            response = Response(self.schedule, content_type="application/json")
        else:
            response = Response(b"not found", status=404)
        return response(environ, start_response)

    def _stats(self, request: Request) -> Response:
        args = request.args
        if args.get("PlayerOrTeam") != "P" or args.get("SeasonType") not in SEASON_TYPE_PREFIX:
            return Response(b"PlayerOrTeam is required", status=400)
        start_year = int(args["Season"][:4])
        day = lambda text: datetime.strptime(text, "%m/%d/%Y").date().isoformat()  # noqa: E731
        first, last = day(args["DateFrom"]), day(args["DateTo"])
        prefix = SEASON_TYPE_PREFIX[args["SeasonType"]]
        at = {h: i for i, h in enumerate(self.stats_headers)}
        rows = [r for r in self.stats_rows
                if str(r[at["SEASON_ID"]])[1:] == str(start_year) and str(r[at["GAME_ID"]]).startswith(prefix)
                and first <= r[at["GAME_DATE"]] <= last]
        body = player_log_response(rows, args["Season"], args["SeasonType"], args["DateFrom"], args["DateTo"])
        body["resultSets"][0]["headers"] = list(self.stats_headers)
        return Response(compact(body), content_type="application/json")

    def _odds(self, request: Request) -> Response:
        if request.args.get("apiKey") != API_KEY:
            return Response(json.dumps({"message": "API key is not valid, check your API key",
                                        "error_code": "INVALID_KEY",
                                        "details_url": "https://the-odds-api.com/liveapi/guides/v4/api-error-codes"
                                                       ".html#invalid-key"}),
                            status=401, content_type="application/json")
        parts = request.path.split("/")       # '', v4, sports, basketball_nba, events[, id, odds]
        with self._lock:
            used = 0 if len(parts) == 5 else 5   # the events list is free; event odds cost regions x markets
            self.requests_remaining -= used
            quota = {"x-requests-remaining": str(self.requests_remaining),
                     "x-requests-used": str(500 - self.requests_remaining), "x-requests-last": str(used)}
        if len(parts) == 5:
            since, until = request.args.get("commenceTimeFrom", ""), request.args.get("commenceTimeTo", "~")
            body = [e for e in self.events if since <= e["commence_time"] <= until]
        elif len(parts) == 7 and parts[6] == "odds" and parts[5] in self.event_odds:
            markets = set(request.args.get("markets", "").split(","))
            event = json.loads(json.dumps(self.event_odds[parts[5]]))
            for book in event["bookmakers"]:
                book["markets"] = [m for m in book["markets"] if m["key"] in markets]
            body = event
        else:
            return Response(json.dumps({"message": "Event not found. The event may have expired or the event id "
                                                   "is invalid.", "error_code": "EVENT_NOT_FOUND"}),
                            status=404, content_type="application/json", headers=quota)
        return Response(json.dumps(body), content_type="application/json", headers=quota)
