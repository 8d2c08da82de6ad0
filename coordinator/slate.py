"""What a batch knows about tonight beyond the features: the latest injury report and the
latest points line per player, both as of the moment the batch starts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from shared import tables
from shared.ports import Warehouse

PROP = "points"   # the prop the worker serves


@dataclass
class Slate:
    out: dict[int, str] = field(default_factory=dict)            # player -> reason: not predicted
    availability: dict[int, str] = field(default_factory=dict)   # player -> status, everyone else listed
    lines: dict[int, dict] = field(default_factory=dict)         # player -> line, book, over, under (decimal)


def load(warehouse: Warehouse, day: date, now: datetime, manual: dict[int, float] | None = None) -> Slate:
    """The latest report before ``now`` is the whole truth about availability (a player it no
    longer lists is available); lines typed into /start win over imported ones."""
    slate = Slate()
    report = _before(warehouse.read(tables.INJURY_REPORT.fqn, day, day), now)
    if len(report):
        latest = report[report["as_of"] == report["as_of"].max()]
        for r in latest[latest["player_id"].notna()].itertuples():
            if r.status == "Out":
                slate.out[int(r.player_id)] = r.reason if isinstance(r.reason, str) and r.reason else "listed out"
            else:
                slate.availability[int(r.player_id)] = r.status
    lines = _before(warehouse.read(tables.PROP_LINES.fqn, day, day), now)
    lines = lines[(lines["prop"] == PROP) & lines["player_id"].notna()].sort_values(["as_of", "book"])
    for r in lines.drop_duplicates("player_id", keep="last").itertuples():
        slate.lines[int(r.player_id)] = {"line": float(r.line), "book": r.book, "over": _price(r.over_price),
                                         "under": _price(r.under_price)}
    for player, line in (manual or {}).items():
        slate.lines[int(player)] = {"line": float(line), "book": "manual", "over": None, "under": None}
    return slate


def _before(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    return frame[frame["as_of"] <= pd.Timestamp(now)] if len(frame) else frame


def _price(value) -> float | None:
    return None if pd.isna(value) else float(value)
