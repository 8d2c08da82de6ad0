"""replay-raw: a feed's stored responses for one night read again by the code a fetch runs
after its requests (say, after a parser fix), oldest run first. Nothing is requested; the
freshness records, which say when each source was last reached, stay as they are."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ingest import box_scores, injuries, lines, raw, schedule
from shared.ports import ObjectStore, Warehouse


@dataclass
class Replayed:
    fetched_at: str
    responses: int
    rows: int


def _box_scores(warehouse: Warehouse, run: raw.Run, day: date) -> int:
    return box_scores.import_responses(warehouse, [(r.key, r.data) for r in run.responses],
                                       run.fetched_at).player_rows


def _injuries(warehouse: Warehouse, run: raw.Run, day: date) -> int:
    return sum(injuries.import_report(warehouse, r.data, r.what, r.key).rows for r in run.responses)


def _lines(warehouse: Warehouse, run: raw.Run, day: date) -> int:
    odds = [(r.key, r.data) for r in run.responses if r.what.startswith("event-")]
    return lines.import_responses(warehouse, odds, day, run.fetched_at).rows


def _schedule(warehouse: Warehouse, run: raw.Run, day: date) -> int:
    return schedule.import_run(warehouse, run)


REPLAYERS: dict[str, Callable[[Warehouse, raw.Run, date], int]] = {
    box_scores.FEED: _box_scores, schedule.FEED: _schedule, injuries.FEED: _injuries, lines.FEED: _lines}


def replay(warehouse: Warehouse, store: ObjectStore, feed: str, day: date) -> list[Replayed]:
    """Every stored run of ``feed`` for ``day``; an empty list when nothing is stored."""
    read_again = REPLAYERS[feed]
    return [Replayed(run.fetched_at, len(run.responses), read_again(warehouse, run, day))
            for run in raw.runs(store, feed, day)]
