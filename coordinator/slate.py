"""What a batch knows about tonight beyond the features: the latest injury report and the
latest line per player and prop, both as of the moment the batch starts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from shared import availability, tables
from shared.batch_docs import BatchInputs
from shared.ports import Warehouse


@dataclass
class Slate:
    out: dict[int, str] = field(default_factory=dict)            # player -> reason: not predicted
    availability: dict[int, str] = field(default_factory=dict)   # player -> status, everyone else listed
    # player -> prop -> line, book, over, under (decimal odds)
    lines: dict[int, dict[str, dict]] = field(default_factory=dict)
    inputs: BatchInputs = field(default_factory=BatchInputs)     # the report and the snapshot read


def load(warehouse: Warehouse, day: date, now: datetime, manual: dict[int, dict[str, float]] | None = None,
         props: list[str] | None = None) -> Slate:
    """The latest report before ``now`` is the whole truth about availability (a player it no
    longer lists is available); lines typed into /start win over imported ones."""
    slate = Slate()
    report = _before(warehouse.read(tables.INJURY_REPORT.fqn, day, day), now)
    if len(report):
        latest = report[report["as_of"] == report["as_of"].max()]
        slate.inputs.injury_report_as_of, slate.inputs.injury_report_source = _provenance(latest)
        for r in latest[latest["player_id"].notna()].itertuples():
            if r.status == "Out":
                slate.out[int(r.player_id)] = r.reason if isinstance(r.reason, str) and r.reason else "listed out"
            else:
                slate.availability[int(r.player_id)] = r.status
    lines = latest_lines(warehouse, day, now, props)
    if len(lines):
        slate.inputs.lines_as_of, slate.inputs.lines_source = _provenance(lines.tail(1))
    for r in lines.itertuples():
        slate.lines.setdefault(int(r.player_id), {})[r.prop] = {
            "line": float(r.line), "book": r.book, "over": _price(r.over_price), "under": _price(r.under_price)}
    for player, by_prop in (manual or {}).items():
        for prop, line in by_prop.items():
            slate.lines.setdefault(int(player), {})[prop] = {"line": float(line), "book": "manual", "over": None,
                                                             "under": None}
    return slate


def latest_lines(warehouse: Warehouse, day: date, now: datetime, props: list[str] | None = None) -> pd.DataFrame:
    """The newest line per player and prop posted by ``now`` (of the books updated last, the
    last by name): what a batch prices with, and what re-pricing compares stored rows with."""
    lines = _before(warehouse.read(tables.PROP_LINES.fqn, day, day), now)
    wanted = lines["prop"].isin(props) if props else lines["prop"].notna()
    lines = lines[wanted & lines["player_id"].notna()].sort_values(["as_of", "book"])
    return lines.drop_duplicates(["player_id", "prop"], keep="last")


def tonight(warehouse: Warehouse, day: date, rows: pd.DataFrame, slate: Slate, wanted: availability.AvailabilitySource
            ) -> tuple[availability.AvailabilitySource, dict[str, dict[str, float | None]]]:
    """The source used and each player's tonight columns (None where unknown), computed once for
    the batch from the date's feature-store rows (``rows``). ``report`` without a stored report
    and ``realised`` without D's box scores know nothing: source none."""
    statuses: dict[int, str] | None = None
    used: availability.AvailabilitySource = "none"
    if wanted == "report" and slate.inputs.injury_report_as_of is not None:
        statuses, used = {**slate.availability, **dict.fromkeys(slate.out, "Out")}, "report"
    elif wanted == "realised":
        box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, day, day,
                             columns=["game_date", "player_id", "team_abbr", "played"])
        if len(box):
            status = availability.realised(rows.assign(game_date=pd.Timestamp(day)), box)
            statuses, used = dict(zip(rows["player_id"].astype(int), status, strict=True)), "realised"
    columns = availability.tonight(rows, statuses)
    values = columns.astype(object).where(columns.notna(), None)
    return used, {str(p): values.loc[p].to_dict() for p in values.index}


def _before(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    return frame[frame["as_of"] <= pd.Timestamp(now)] if len(frame) else frame


def _provenance(rows: pd.DataFrame) -> tuple[datetime, str | None]:
    """The as-of time and source file of the first of ``rows``."""
    first = rows.iloc[0]
    source = first["source_file"] if isinstance(first["source_file"], str) and first["source_file"] else None
    return pd.Timestamp(first["as_of"]).to_pydatetime(), source


def _price(value) -> float | None:
    return None if pd.isna(value) else float(value)
