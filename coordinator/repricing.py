"""Lines that move re-price the rows they belong to without re-predicting: for each served row
(the latest version) of a game not yet tipped whose player and prop have a line posted after
the one the row was priced with, the line, P(over), the market's P(over), the edge and the call
come again from shared/pricing.py, and the row says when that line was posted (line_as_of) and
when it was re-priced. One MERGE per call."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from coordinator import slate
from shared import distribution, tables, versions
from shared.ports import Warehouse
from shared.pricing import CALL_MARGIN, judge

PRICED = ("line", "p_over", "market_p_over", "edge", "recommendation")


def reprice(warehouse: Warehouse, day: date, at: datetime, tipoffs: dict[str, datetime],
            margin: float = CALL_MARGIN) -> int:
    """Re-price ``day``'s served rows against the lines posted by ``at``; the rows changed.
    ``tipoffs``: team -> tip-off; a team that had tipped at ``at`` keeps its prices."""
    lines = slate.latest_lines(warehouse, day, at)
    if not len(lines):
        return 0
    rows = versions.latest(warehouse.read(tables.PREDICTIONS.fqn, day, day))
    started = [team for team, tip in tipoffs.items() if tip <= at]
    rows = rows[~rows["team_abbr"].isin(started) & (rows["line_book"].astype(object) != "manual")]
    lines = lines.assign(player_id=lines["player_id"].astype("int64"))[
        ["player_id", "prop", "line", "book", "over_price", "under_price", "as_of"]]
    joined = rows.merge(lines.rename(columns={"line": "new_line", "as_of": "new_as_of"}), on=["player_id", "prop"])
    newer = joined["line_as_of"].isna() | (joined["new_as_of"] > joined["line_as_of"])
    moved = joined[newer & ((joined["new_line"] != joined["line"]) | joined["line"].isna()
                            | (joined["book"] != joined["line_book"].astype(object)))]
    if not len(moved):
        return 0
    # from each row's own distribution, as the worker priced it
    quantiles = distribution.of_frame(moved)
    priced = pd.DataFrame([judge(r.p10, r.p50, r.p90, float(r.new_line), _price(r.over_price), _price(r.under_price),
                                 quantiles=list(q), margin=margin)
                           for r, q in zip(moved.itertuples(), quantiles, strict=True)], index=moved.index)
    out = moved.assign(**{c: priced[c] for c in PRICED}, line_book=moved["book"], line_as_of=moved["new_as_of"],
                       repriced_at=pd.Timestamp(at))
    warehouse.merge_frame(tables.PREDICTIONS.fqn, out[tables.PREDICTIONS.column_names])
    return len(out)


def _price(value) -> float | None:
    return None if pd.isna(value) else float(value)
