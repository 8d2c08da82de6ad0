"""What each injury report did to a date's predictions, kept in the object store: one
create-only document per (date, report as-of), written before anything moves, so a report is
acted on exactly once however often it is fetched, imported or redelivered."""
from __future__ import annotations

import json
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from shared.ports import NotFound, ObjectStore, PreconditionFailed


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    player_id: int
    player_name: str
    team_abbr: str
    before: str          # Available when the earlier report did not list him
    after: str


class TippedGame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_abbr: str
    tipoff: datetime


class ReportEffect(BaseModel):
    """One report's changes and what they started: the superseding batch (its players, the
    version it writes), the players withdrawn, and the games left alone because they had tipped."""
    model_config = ConfigDict(extra="forbid")

    game_date: date
    report_as_of: datetime
    report_source: str | None = None
    checked_at: datetime             # the refresh's `at`: tip-offs were judged against it
    changes: list[StatusChange] = []
    teams: list[str] = []            # the affected teams whose games had not tipped
    tipped: list[TippedGame] = []
    withdrawn: dict[str, str] = {}   # player id -> reason
    parent_batch_id: str | None = None
    batch_id: str | None = None      # None: nothing to re-predict
    players: int = 0
    prediction_version: int | None = None
    reason: str | None = None


def _prefix(day: date) -> str:
    return f"batches/news/{day.isoformat()}/"


def _key(day: date, as_of: datetime) -> str:
    return f"{_prefix(day)}{as_of:%Y%m%dT%H%M%S%z}.json"


def claim(store: ObjectStore, effect: ReportEffect) -> bool:
    """Record the report's effect, create-only: False when the report was already handled."""
    try:
        store.write(_key(effect.game_date, effect.report_as_of), effect.model_dump_json().encode(),
                    if_generation_match=0)
        return True
    except PreconditionFailed:
        return False


def effects(store: ObjectStore, day: date) -> list[ReportEffect]:
    """Every report handled for ``day``, oldest first."""
    found = []
    for key in store.list(_prefix(day)):
        try:
            found.append(ReportEffect.model_validate(json.loads(store.read(key).data)))
        except NotFound:
            continue
    return sorted(found, key=lambda e: e.report_as_of)
