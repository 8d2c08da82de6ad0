"""Prediction systems, one module each, behind one interface (worker/systems/base.py):
feature rows in, a prediction with a p10/p50/p90 interval and its provenance out.
``build`` makes one instance of every system the catalogue declares, in its run order."""
from __future__ import annotations

from shared.catalogue import ML_SYSTEMS, SYSTEM_NAMES
from worker.systems.base import System
from worker.systems.ensemble import Ensemble
from worker.systems.gradient_boosting import GradientBoosting
from worker.systems.moving_average import MovingAverage
from worker.systems.similarity import Similarity
from worker.systems.zone_matchup import ZoneMatchup


def build() -> dict[str, System]:
    made: list[System] = [MovingAverage(), ZoneMatchup(), Similarity(), *(GradientBoosting(n) for n in ML_SYSTEMS),
                          Ensemble()]
    systems = {s.name: s for s in made}
    assert set(systems) == set(SYSTEM_NAMES), "every catalogue system needs its class here"
    return {name: systems[name] for name in SYSTEM_NAMES}
