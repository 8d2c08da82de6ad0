"""The props (markets) the pipeline predicts, declared once; shared/catalogue.py re-exports
them beside the processors and systems. Their own module because the feature list is built
from them and the tables from the features."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the orchestrator's function imports this module and ships without pandas
    import pandas as pd


@dataclass(frozen=True)
class Prop:
    """A market: what is predicted, from which box-score columns, and its feature prefix.
    Adding one (steals, blocks) is an entry here: features, training, serving, lines,
    grading and evaluation all follow this list."""
    name: str
    stat: str                  # the prefix of its features (pts_ewma ...) and of its history column
    parts: tuple[str, ...]     # the box-score columns whose sum is the outcome (team totals have them too)
    line_max: float            # the largest sportsbook line accepted
    form_unit: float           # similarity: a difference in the last-5 mean that counts as one unit
    team_per_game: float       # a team's usual total per game (2015-2024): "allowed vs league" as a share

    @property
    def baselines(self) -> dict[str, str]:
        """Naive forecast name -> the feature column holding it."""
        return {"season_avg": f"{self.stat}_avg_season", "last10": f"{self.stat}_avg_last10",
                "ewma": f"{self.stat}_ewma"}

    def actual(self, box_scores: pd.DataFrame) -> pd.Series:
        """The outcome from box-score rows (a frame holding ``parts``)."""
        total = box_scores[self.parts[0]]
        for part in self.parts[1:]:
            total = total + box_scores[part]
        return total


PROPS: tuple[Prop, ...] = (
    Prop("points", "pts", ("pts",), 200, 4.0, 112.0),
    Prop("rebounds", "reb", ("reb",), 100, 1.5, 44.0),
    Prop("assists", "ast", ("ast",), 100, 1.0, 25.0),
    Prop("threes", "fg3m", ("fg3m",), 40, 0.6, 11.5),
    Prop("pra", "pra", ("pts", "reb", "ast"), 300, 6.0, 180.0),   # its own model: its interval is not a sum
)
BOX_SCORE_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(c for p in PROPS for c in p.parts))
PROP_NAMES: tuple[str, ...] = tuple(p.name for p in PROPS)
PROP_BY_NAME: dict[str, Prop] = {p.name: p for p in PROPS}


def stat_prop(stat: str) -> Prop:
    """The prop whose feature prefix is ``stat``."""
    return next(p for p in PROPS if p.stat == stat)
