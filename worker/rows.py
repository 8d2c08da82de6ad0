"""A group's prediction rows as columns of the predictions table: one list per column, built
from the systems' arrays a (prop, system) at a time, so that the only thing done row by row is
pricing the rows that have a line. shared/staging.py writes the columns as they are."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from shared.distribution import COLUMNS as QUANTILE_COLUMNS
from shared.messages import PredictionRequest
from shared.pricing import judge
from worker.systems.base import Output

Columns = dict[str, list]
PRICED = ("line", "p_over", "market_p_over", "edge", "recommendation")


class Group:
    """What a group's rows share whatever the prop and system: one entry per request."""

    def __init__(self, reqs: list[PredictionRequest], rows: list[dict], now: datetime):
        self.reqs = reqs
        self.quality = np.array([float(row.get("quality_score", 1.0)) for row in rows])
        self.columns: Columns = {
            "game_date": [req.game_date for req in reqs], "player_id": [req.player_id for req in reqs],
            "player_name": [row.get("player_name") for row in rows],
            "team_abbr": [row.get("team_abbr") for row in rows],
            "opponent_abbr": [row.get("opponent_abbr") for row in rows],
            "availability": [req.availability for req in reqs],
            "availability_source": [req.availability_source for req in reqs],
            "feature_version": [row["feature_version"] for row in rows], "batch_id": [req.batch_id for req in reqs],
            "correlation_id": [req.correlation_id for req in reqs], "created_at": [now] * len(reqs)}


def for_prop(group: Group, prop: str, outputs: dict[str, Output], margin: float) -> list[Columns]:
    """The rows of every output (and its shadow) of one prop, one block of columns per output."""
    lines = [req.lines.get(prop) for req in group.reqs]
    shared: Columns = {**group.columns, "prop": [prop] * len(lines),
                       "line_book": [line.book if line else None for line in lines]}
    blocks = []
    for name, base in outputs.items():
        for out in (base, base.shadow):
            if out is not None:
                blocks.append({**shared, **_output(name, out, out is not base, group.quality, lines, margin)})
    return blocks


def _output(name: str, out: Output, shadow: bool, quality: np.ndarray, lines: list, margin: float) -> Columns:
    n = len(lines)
    predicted = np.asarray(out.values["predicted"], dtype=float)
    q = np.asarray(out.values["quantiles"], dtype=float)
    p10, p50, p90 = q[:, 1], q[:, 9], q[:, 17]
    confidence = np.clip(quality * (1 - (p90 - p10) / (2 * (predicted + 5))), 0, 1)
    priced: dict[str, list] = {c: [None] * n for c in PRICED}
    for i, line in enumerate(lines):
        if line is not None:
            verdict = judge(float(p10[i]), float(p50[i]), float(p90[i]), line.line, line.over, line.under,
                            quantiles=q[i].tolist(), margin=margin)
            for c in PRICED:
                priced[c][i] = verdict[c]
    source = out.model_source
    return {"system": [name] * n, "predicted": predicted.tolist(), "p10": p10.tolist(), "p50": p50.tolist(),
            "p90": p90.tolist(), "confidence": confidence.tolist(), **priced,
            "model_name": [out.model_name] * n, "model_version": [out.model_version] * n,
            "model_source": [source] * n if isinstance(source, str) else list(source),
            "shadow": [shadow] * n, **dict(zip(QUANTILE_COLUMNS, q.T.tolist(), strict=True))}


def concat(blocks: Sequence[Columns]) -> Columns:
    """Blocks of columns (the same columns in each) as one."""
    if not blocks:
        return {}
    out: Columns = {c: [] for c in blocks[0]}
    for block in blocks:
        for c, values in block.items():
            out[c].extend(values)
    return out


def records(columns: Columns) -> list[dict]:
    """The rows one by one (a real-time answer of one player's rows)."""
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def count(columns: Columns, *names: str) -> dict[tuple, int]:
    """How many rows hold each combination of the named columns' values."""
    counts: dict[tuple, int] = {}
    if not columns:
        return counts
    for key in zip(*(columns[c] for c in names), strict=True):
        counts[key] = counts.get(key, 0) + 1
    return counts
