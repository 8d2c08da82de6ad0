"""Is each row's predictive distribution honest? Per system and prop, on evaluate's graded rows:

- the mean pinball loss over the 19 quantiles (a CRPS estimate), beside the loss of the normal
  through the same rows' p10/p50/p90 that priced P(over) before the 19 existed;
- the observed share of outcomes below each quantile. Outcomes are whole numbers and the
  quantiles those of the continuity-corrected outcome (shared/distribution.py), so each is
  judged by the count quantile it implies, ceil(q - 1/2): calibrated when the level lies
  between the share below it and the share at or below it;
- P(over) at a line: the posted line where a row has one, and everywhere the line proxy (the
  player's last-10 mean rounded to the nearest half point). Reliability in ten bins, Brier
  score and log loss, against the bettor's baseline on the same rows: the share of his last
  10 games over that line. Pushes (a whole-number line hit exactly) are left out, and the
  probabilities are those given no push; log loss clips probabilities to [0.001, 0.999] (the
  baseline says 0 or 1 often)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from modeling.dataset import outcomes
from modeling.metrics import pinball
from shared import distribution
from shared.ports import Warehouse
from shared.pricing import over_probability_rows
from shared.reliability import line_proxy, reliability_bins

LAST = 10                    # the bettor's window, in games
HISTORY_DAYS = 400           # box scores read before the range, for the last 10 games of its first nights
CLIP = 1e-3
BASELINE = "baseline: last10"


@dataclass
class Calibration:
    pinball: pd.DataFrame       # system, prop, n, pinball, pinball_normal
    quantiles: pd.DataFrame     # system, prop, level, n, below, at_or_below, miss (points outside the band)
    scores: pd.DataFrame        # system, prop, lines, n, brier, log_loss, brier_normal, brier_last10, log_loss_last10
    reliability: pd.DataFrame   # system (or the baseline), prop, lines, bin, n, mean_p, observed


def history(warehouse: Warehouse, start: date, end: date) -> pd.DataFrame:
    return outcomes(warehouse, start - timedelta(days=HISTORY_DAYS), end)


def last_games(hist: pd.DataFrame, prop: str) -> pd.DataFrame:
    """game_date, player_id and the prop's values in his previous ``LAST`` games (lag1..lag10)."""
    h = hist[["game_date", "player_id", prop]].sort_values(["player_id", "game_date"])
    by_player = h.groupby("player_id")[prop]
    lags = {f"lag{k}": by_player.shift(k) for k in range(1, LAST + 1)}
    return pd.concat([h[["game_date", "player_id"]], pd.DataFrame(lags)], axis=1)


def normal_p_over(rows: pd.DataFrame, line: np.ndarray) -> np.ndarray:
    """P(over) as it was read before the 19 quantiles: a symmetric normal through p10-p90."""
    sigma = np.maximum((rows["p90"].to_numpy() - rows["p10"].to_numpy()) / (2 * distribution.Z90), 0.5)
    z = (line - rows["p50"].to_numpy()) / (sigma * math.sqrt(2))
    return np.array([0.5 * math.erfc(v) for v in z])


def calibrate(graded: pd.DataFrame, hist: pd.DataFrame) -> Calibration:
    pin, shares, scores, bins = [], [], [], []
    for prop, of_prop in graded.groupby("prop"):
        rows = of_prop.merge(last_games(hist, prop), on=["game_date", "player_id"], how="left")
        q = distribution.of_frame(rows)
        actual = rows["actual"].to_numpy(dtype=float)
        recent = rows[[f"lag{k}" for k in range(1, LAST + 1)]].to_numpy(dtype=float)
        full = ~np.isnan(recent).any(axis=1)
        proxy = np.where(full, line_proxy(np.where(np.isnan(recent), 0, recent).mean(axis=1)), np.nan)
        baseline_done = set()
        for system in rows["system"].unique():
            mine = (rows["system"] == system).to_numpy()
            pin.append(_pinball(system, prop, actual[mine], q[mine], rows[mine]))
            shares.extend(_shares(system, prop, actual[mine], q[mine]))
            for lines, line, usable in (("proxy", proxy, full), ("posted", _posted(rows), None)):
                # a push refunds: neither over nor under
                keep = mine & (full if usable is not None else ~np.isnan(line)) & (actual != line)
                if keep.any():
                    s, b, base = _p_over(system, prop, lines, rows[keep], actual[keep], q[keep], line[keep],
                                         recent[keep])
                    scores.append(s)
                    bins.extend(b)
                    if lines not in baseline_done:      # every system is graded on the same rows
                        baseline_done.add(lines)
                        bins.extend(base)
    return Calibration(pd.DataFrame(pin), pd.DataFrame(shares), pd.DataFrame(scores), pd.DataFrame(bins))


def _posted(rows: pd.DataFrame) -> np.ndarray:
    return rows["line"].to_numpy(dtype=float) if "line" in rows.columns else np.full(len(rows), np.nan)


def _pinball(system, prop, actual, q, rows) -> dict:
    sigma = np.maximum((rows["p90"].to_numpy() - rows["p10"].to_numpy()) / (2 * distribution.Z90), 0.5)
    normal = distribution.normal_quantiles(rows["p50"].to_numpy(), sigma)
    return {"system": system, "prop": prop, "n": len(actual), "pinball": pinball(actual, q),
            "pinball_normal": pinball(actual, normal)}


def _shares(system, prop, actual, q) -> list[dict]:
    count = np.ceil(q - 0.5)
    out = []
    for k, level in enumerate(distribution.LEVELS):
        below, at_or_below = float(np.mean(actual < count[:, k])), float(np.mean(actual <= count[:, k]))
        miss = max(below - level, level - at_or_below, 0.0)
        out.append({"system": system, "prop": prop, "level": level, "n": len(actual), "below": below,
                    "at_or_below": at_or_below, "miss": miss})
    return out


def _p_over(system, prop, lines, rows, actual, q, line, recent) -> tuple[dict, list[dict], list[dict]]:
    over = (actual > line).astype(float)
    p = over_probability_rows(q, line)
    normal = normal_p_over(rows, line)
    games_over, games_under = (recent > line[:, None]).sum(axis=1), (recent < line[:, None]).sum(axis=1)
    decided_games = games_over + games_under
    base = np.where(decided_games > 0, games_over / np.maximum(decided_games, 1), 0.5)
    score = {"system": system, "prop": prop, "lines": lines, "n": len(actual), "brier": _brier(p, over),
             "log_loss": _log_loss(p, over), "brier_normal": _brier(normal, over),
             "brier_last10": _brier(base, over), "log_loss_last10": _log_loss(base, over),
             "over_share": float(over.mean()) if len(over) else None}
    return score, _bins(system, prop, lines, p, over), _bins(BASELINE, prop, lines, base, over)


def _bins(system, prop, lines, p, over) -> list[dict]:
    return [{"system": system, "prop": prop, "lines": lines, **b} for b in reliability_bins(p, over)]


def _brier(p, outcome) -> float | None:
    return float(np.mean((p - outcome) ** 2)) if len(p) else None


def _log_loss(p, outcome) -> float | None:
    if not len(p):
        return None
    p = np.clip(p, CLIP, 1 - CLIP)
    return float(-np.mean(outcome * np.log(p) + (1 - outcome) * np.log(1 - p)))


def worst_bin(reliability: pd.DataFrame, system: str, prop: str, lines: str = "proxy",
              min_rows: int = 500) -> float | None:
    """The largest gap (observed minus mean P(over)) among a system's bins with ``min_rows`` or more."""
    r = reliability
    if r.empty:
        return None
    r = r[(r["system"] == system) & (r["prop"] == prop) & (r["lines"] == lines) & (r["n"] >= min_rows)]
    return float((r["observed"] - r["mean_p"]).abs().max()) if len(r) else None
