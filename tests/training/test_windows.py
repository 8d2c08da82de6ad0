"""Training windows that fit the data present: derived when not given, and a refusal that
names the windows tried, the dates the data covers and the flags to set."""
from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import pandas as pd

from modeling import dataset
from modeling.windows import dates_with_results, derived, last_date_with_results, split
from tests.support.cli import invoke as run


def seasons(first: int, last: int) -> pd.DataFrame:
    """Game dates of the regular seasons first..last (October to April, one every other day)."""
    rows = []
    for year in range(first, last + 1):
        day = date(year, 10, 24)
        while day <= date(year + 1, 4, 14):
            rows.append({"game_date": pd.Timestamp(day), "season": f"{year}-{str(year + 1)[2:]}"})
            day += timedelta(days=2)
    return pd.DataFrame(rows)


def test_nine_seasons_split_as_the_bundled_models_were_trained():
    w = split(seasons(2015, 2023))
    assert (w.train_start, w.valid_start) == (date(2015, 10, 24), date(2022, 10, 24))
    assert w.train_end.year == 2022 and w.valid_end.year == 2023      # 2023-24 stays unseen
    w.check()


def test_two_seasons_train_on_the_first_and_one_season_splits_sixty_forty():
    two = split(seasons(2022, 2023))
    assert (two.train_start, two.valid_start, two.valid_end) == (date(2022, 10, 24), date(2023, 10, 24),
                                                                  seasons(2023, 2023)["game_date"].iloc[-1].date())
    one = seasons(2023, 2023)
    w = split(one)
    dates = one["game_date"].dt.date
    assert ((dates >= w.train_start) & (dates <= w.train_end)).sum() == round(0.6 * len(one))
    assert ((dates >= w.valid_start) & (dates <= w.valid_end)).sum() == len(one) - round(0.6 * len(one))


def test_the_sample_season_gives_windows_with_rows_in_both(feature_warehouse):
    w = derived(feature_warehouse)
    w.check()
    found = dates_with_results(feature_warehouse)
    assert w.train_start == found["game_date"].iloc[0].date()
    assert w.valid_end == last_date_with_results(feature_warehouse) == date(2024, 4, 14)
    assert len(dataset.load(feature_warehouse, "points", w.train_start, w.train_end)) > 10_000
    assert len(dataset.load(feature_warehouse, "points", w.valid_start, w.valid_end)) > 5_000


def home_with_features(feature_db, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(feature_db, home / "warehouse.duckdb")
    return home


def test_train_without_windows_fits_the_data_present(feature_db, tmp_path, elsewhere):
    home = home_with_features(feature_db, tmp_path)
    out = run("train", "--system", "catboost", "--force", home=home, cwd=elsewhere, timeout=900)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "windows (derived from the data present): train 2023-10-" in text
    assert "validate 2024-" in text and "..2024-04-14" in text
    # the gate measured the bundled model the workers serve (the sample's model, whose validation rows
    # carry realised availability, may beat it or be forced over it), and the blend is out of date
    assert re.search(r"points_catboost v1 PROMOTED: (forced over|beats) the bundled model v", text)
    assert "(served while the registry has no champion)" in text
    assert "note: the points ensemble's weights were fitted for the catboost model served before; refit them for " \
           "this one: bin/pipeline train --system ensemble --prop points" in text


def test_windows_without_rows_are_refused_naming_them_and_the_data_present(feature_db, tmp_path, elsewhere):
    home = home_with_features(feature_db, tmp_path)
    out = run("train", "--system", "catboost", "--train-start", "2015-10-01", "--train-end", "2022-06-30",
              "--valid-start", "2022-10-01", "--valid-end", "2023-06-30", home=home, cwd=elsewhere)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    message = " ".join(out.stderr.split())
    assert "training window 2015-10-01..2022-06-30 (0 rows)" in message
    assert "validation window 2022-10-01..2023-06-30 (0 rows)" in message
    assert "..2024-04-14" in message and "--train-start, --train-end, --valid-start and --valid-end" in message


def test_retrain_on_an_empty_feature_store_says_what_to_do(tmp_path, elsewhere):
    out = run("retrain", home=tmp_path / "home", cwd=elsewhere)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    message = " ".join(out.stderr.split())
    assert "--end latest: the feature store has no rows with results yet" in message
    assert "bin/pipeline backfill" in message
