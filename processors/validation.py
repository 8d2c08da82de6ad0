"""Check a processor's output before it is written. Rows that fail are kept out of the
table and returned with the reason; nothing is silently defaulted."""
from __future__ import annotations

import numpy as np
import pandas as pd

from shared import tables

# column-name pattern -> (low, high), applied to every matching float column
RANGES: list[tuple[str, float, float]] = [   # first matching pattern wins
    ("true_shooting", 0.0, 1.5),     # a made three with no other shot is 3 / (2 * 1)
    ("ft_rate", 0.0, 50.0),          # FTA / FGA: large when FGA is tiny, never negative
    ("_pct", 0.0, 1.0), ("_share_", 0.0, 1.0), ("minutes_avg", 0.0, 60.0),
    ("fatigue_score", 0.0, 100.0), ("quality_score", 0.0, 1.0), ("rest_days", 0.0, 400.0),
    ("usage_rate", 0.0, 500.0),      # over 100 happens on a few minutes with several shots
    ("pts_avg", 0.0, 100.0), ("pts_ewma", 0.0, 100.0),
    ("league_games", 0.0, 2000.0), ("games_", 0.0, 200.0),
    ("pace", 60.0, 140.0), ("rating", 50.0, 200.0),
]
_EXEMPT = ("_vs_league", "pace_score", "_change", "trend", "spike", "mismatch", "advantage", "vs_opp_avg")


def validate(table: tables.Table, frame: pd.DataFrame, entity: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (valid rows, rejects[entity, game_date, reason])."""
    declared, produced = set(table.column_names), set(frame.columns)
    if declared != produced:
        raise ValueError(f"{table.fqn}: output columns differ from the declared table: "
                         f"missing {sorted(declared - produced)}, unexpected {sorted(produced - declared)}")
    reasons = pd.Series("", index=frame.index, dtype=object)

    def note(mask, text):
        """text: a string, or a function of the offending values giving one string each."""
        mask = np.asarray(mask, dtype=bool) & (reasons == "").to_numpy()
        if mask.any():
            reasons.iloc[np.flatnonzero(mask)] = text if isinstance(text, str) else text(mask)

    for col in table.required:
        note(frame[col].isna(), f"column {col} is missing")
    for col, typ in table.columns:
        if typ != "FLOAT64" or any(x in col for x in _EXEMPT):
            continue
        values = frame[col].to_numpy(dtype=float)
        note(np.isinf(values), f"column {col} is infinite")
        for pattern, low, high in RANGES:
            if pattern in col:
                note((values < low) | (values > high),
                     lambda m, v=values, c=col, lo=low, hi=high: [f"column {c} = {x:.4g} outside [{lo}, {hi}]"
                                                                   for x in v[m]])
                break
    bad = reasons != ""
    rejects = pd.DataFrame({"entity": frame.loc[bad, entity].astype(str), "game_date": frame.loc[bad, table.partition],
                            "reason": reasons[bad]})
    return frame[~bad].reset_index(drop=True), rejects.reset_index(drop=True)
