"""A season slice through predict-range (the coordinator/worker path, one batch per date)
and evaluate, as a user runs them. February is predicted once, through the CLI, for the
module: the accuracy bounds need the whole month, the CLI's own checks need a week of it."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from shared import distribution
from shared.catalogue import PROP_NAMES
from tests.conftest import ROOT

WEEK = ("--start", "2024-02-05", "--end", "2024-02-11")


def pipeline(home, *args):
    out = subprocess.run([str(ROOT / "bin" / "pipeline"), *args], env={**os.environ, "PIPELINE_HOME": str(home)},
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture(scope="module")
def february(feature_db, tmp_path_factory) -> tuple[Path, str]:
    """A home whose February was predicted by `pipeline predict-range`, and what it printed."""
    home = tmp_path_factory.mktemp("february")
    shutil.copy(feature_db, home / "warehouse.duckdb")
    return home, pipeline(home, "predict-range", "--start", "2024-02-01", "--end", "2024-02-29")


def test_predict_range_then_evaluate_writes_a_report(february, tmp_path):
    source, first = february
    home = tmp_path / "home"
    shutil.copytree(source, home)
    assert "new batches" in first
    again = pipeline(home, "predict-range", *WEEK)
    assert " 0 new batches" in again                       # one batch per date, not two
    pipeline(home, "export-predictions", *WEEK, "--out", str(tmp_path / "p.csv"))
    exported = pd.read_csv(tmp_path / "p.csv")
    assert exported["game_date"].between("2024-02-05", "2024-02-11").all() and exported["game_date"].nunique() >= 5
    assert not exported.duplicated(["game_date", "player_id", "system", "prop"]).any()
    quantiles = exported[list(distribution.COLUMNS)]
    assert quantiles.notna().all().all(), "19 quantiles on every exported row, every system"
    assert (quantiles.diff(axis=1).iloc[:, 1:] >= 0).all().all(), "monotone"
    assert (exported["p10"] == exported["q10"]).all() and (exported["p90"] == exported["q90"]).all()
    assert set(exported["system"]) == {"moving_average", "zone_matchup", "similarity", "xgboost", "catboost",
                                       "ensemble"}
    report = pipeline(home, "evaluate", *WEEK, "--out", str(tmp_path / "eval"))
    assert "ensemble" in report and "predictive distributions" in report and "reliability at line proxies" in report
    for name in ("report.md", *(f"{plot}_{prop}.png" for prop in PROP_NAMES
                                for plot in ("mae_by_system", "interval_calibration", "error_by_minutes",
                                             "p_over_reliability"))):
        assert (tmp_path / "eval" / name).stat().st_size > 1000, name
    text = (tmp_path / "eval" / "report.md").read_text()
    assert "| points | ewma |" in text and "| points | season_avg |" in text
    assert "## P(over): Brier score and log loss against the last-10 baseline" in text


def test_evaluation_compares_systems_and_baselines_on_the_same_rows(february):
    from datetime import date

    from modeling.evaluation import evaluate
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    home, _ = february
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    ev = evaluate(wh, date(2024, 2, 1), date(2024, 2, 29))
    assert ev.main["n"].nunique() == 1 and set(ev.baselines["n"]) == set(ev.main["n"])
    assert set(ev.main["prop"]) == set(PROP_NAMES)
    for prop in PROP_NAMES:                                        # every prop, on the real February
        rows = ev.main[ev.main["prop"] == prop].set_index("system")
        ewma = ev.baselines.set_index(["prop", "baseline"]).loc[(prop, "ewma"), "mae"]
        for system in ("xgboost", "catboost", "ensemble"):
            assert rows.loc[system, "mae"] < ewma, (prop, system)  # the models beat the naive baseline
        assert rows["mae"].min() > 0.85 * ewma, prop               # far lower would mean leakage (points: 3.7)
        assert 0.7 <= rows.loc["xgboost", "interval_coverage"] <= 0.9, prop
    assert ev.main.set_index(["prop", "system"]).loc[("points", "xgboost"), "mae"] > 4.0
    _the_distribution_tables_cover_the_graded_rows(ev)
    _plots_tell_the_truth(ev)


def _the_distribution_tables_cover_the_graded_rows(ev):
    d = ev.distribution
    rows = ["system", "prop"]
    assert d.pinball.set_index(rows)["n"].to_dict() == ev.main.set_index(rows)["n"].to_dict()
    assert (d.quantiles["below"] <= d.quantiles["at_or_below"]).all()
    proxy = d.scores[d.scores["lines"] == "proxy"].set_index(["system", "prop"])
    bins = d.reliability[d.reliability["lines"] == "proxy"].groupby(["system", "prop"])["n"].sum()
    for (system, prop), row in proxy.iterrows():       # every scored row sits in one reliability bin
        assert bins.loc[(system, prop)] == row["n"] > 0
        if system in ("xgboost", "catboost", "ensemble"):   # the trained ones beat a coin and the bettor's
            assert row["brier"] < 0.25 and row["brier"] < row["brier_last10"], (system, prop)   # last-10 share
    # the bettor's baseline is binned once per prop, on the same rows
    assert set(d.reliability.loc[d.reliability["system"] == "baseline: last10", "prop"]) == set(PROP_NAMES)


def _plots_tell_the_truth(ev):
    from modeling.report import mae_figure, minutes_figure

    ax = mae_figure(ev).axes[0]
    ewma = ev.baselines.set_index(["prop", "baseline"]).loc[("points", "ewma"), "mae"]
    ensemble = ev.main.set_index(["prop", "system"]).loc[("points", "ensemble"), "mae"]
    labels = [t.get_text() for t in ax.texts]                      # each bar: its MAE and its gap to the EWMA's
    assert f"{ensemble:.3f} ({ensemble - ewma:+.3f})" in labels and f"{ewma:.3f} (the reference)" in labels
    assert len(labels) == len(ev.main[ev.main["prop"] == "points"]) + len(ev.baselines[ev.baselines["prop"] ==
                                                                                         "points"])
    assert [list(line.get_xdata()) for line in ax.lines] == [[0, 0]]   # the EWMA's MAE is the zero line
    panels = [a for a in minutes_figure(ev).axes if a.get_visible()]
    assert sorted(a.get_title() for a in panels) == sorted(ev.by_minutes.loc[ev.by_minutes["prop"] == "points",
                                                                             "system"].unique())
