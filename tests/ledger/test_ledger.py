"""The ledger on a hand-made night (tests/ledger/night.py) in a real DuckDB warehouse: one row
per call of the served system, each graded at the line and price it was made with, against
the closing line before tip-off; totals; and `ledger --out` as a user runs it."""
from __future__ import annotations

import csv

import pandas as pd
import pytest

from shared import ledger, ledger_source
from tests.ledger import night
from tests.support.cli import invoke as run

REQUIRED = ("game_date", "player_id", "player_name", "prop", "system", "call", "line", "price", "book", "p_over",
            "market_p_over", "edge", "actual", "result", "units", "closing_line", "closing_price", "clv_points")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    where = tmp_path_factory.mktemp("ledger")
    wh, _ = night.build(where)
    wh.close()
    return where


@pytest.fixture(scope="module")
def rows(home):
    from shared.adapters.directory_store import DirectoryStore
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    try:
        return ledger_source.read(wh, DirectoryStore(home / "objects"), night.DAY, night.NEXT)
    finally:
        wh.close()


def _same(got, want) -> bool:
    return (want is None and pd.isna(got)) or (want is not None and got == pytest.approx(want, abs=1e-5))


def test_one_row_per_call_of_the_served_system_from_its_latest_version(rows):
    assert len(rows) == len(night.CALLS) + 1
    assert set(rows["system"]) == {"ensemble"}
    ann = rows[(rows["player_id"] == 1) & (rows["game_date"] == pd.Timestamp(night.DAY))]
    assert ann["call"].tolist() == ["OVER"]   # the v2 row, not the superseded v1 UNDER
    assert 6 not in set(rows["player_id"])     # a PASS is no bet


@pytest.mark.parametrize("player", sorted(night.EXPECTED))
def test_result_units_and_clv_follow_from_line_price_closing_line_and_actual(rows, player):
    price, result, units, closing_line, closing_price, clv_points, clv_prob = night.EXPECTED[player]
    r = rows[(rows["player_id"] == player) & (rows["game_date"] == pd.Timestamp(night.DAY))].iloc[0]
    got = (r["price"], r["result"], r["units"], r["closing_line"], r["closing_price"], r["clv_points"], r["clv_prob"])
    assert r["result"] == result
    assert all(_same(g, w) for g, w in zip(got[:1] + got[2:], (price, units, closing_line, closing_price, clv_points,
                                                                 clv_prob), strict=True)), got


def test_the_price_is_the_batchs_snapshot_and_the_close_is_before_tip_off(rows):
    ann = rows[(rows["player_id"] == 1) & (rows["game_date"] == pd.Timestamp(night.DAY))].iloc[0]
    assert ann["decided_at"] == pd.Timestamp("2024-01-16T18:00:00Z")        # not the 18:02 snapshot
    assert ann["closing_at"] == pd.Timestamp("2024-01-16T23:30:00Z")        # not the 01:00 one after tip
    assert ann["price_source"] == "book"
    manual = rows[rows["player_id"] == 5].iloc[0]
    assert manual["price_source"] == ledger.ASSUMED and manual["book"] == "manual"


def test_a_night_without_box_scores_is_pending(rows):
    later = rows[rows["game_date"] == pd.Timestamp(night.NEXT)]
    assert later["result"].tolist() == ["pending"] and later["units"].isna().all()


def test_totals_count_settled_bets_and_keep_void_and_pending_apart(rows):
    whole = ledger.totals(rows).iloc[0]
    units = 0.87 - 1 + 0 + 100 / 110
    assert (whole["bets"], whole["wins"], whole["losses"], whole["pushes"]) == (4, 2, 1, 1)
    assert (whole["void"], whole["pending"]) == (1, 1)
    assert whole["units"] == pytest.approx(units) and whole["roi"] == pytest.approx(units / 4)
    assert whole["clv_points"] == pytest.approx(1 / 3)   # +1, 0, 0 over the bets with a close
    by_prop = ledger.totals(rows, "prop").set_index("prop")
    assert by_prop.loc["points", "bets"] == 2 and by_prop.loc["points", "units"] == pytest.approx(0.87 + 100 / 110)
    buckets = ledger.totals(rows, "edge_bucket")
    assert buckets["edge_bucket"].tolist() == ["5-10%"] and buckets["bets"].tolist() == [4]


def test_ledger_out_writes_one_row_per_call_and_prints_the_tables(home, tmp_path):
    out = tmp_path / "ledger.csv"
    done = run("ledger", "--start", night.DAY, "--end", night.NEXT, "--out", out, home=home)
    assert done.returncode == 0, done.stderr
    for title in ("calls by prop", "calls by book", "calls by edge bucket", "calls by month"):
        assert title in done.stdout
    assert "6 calls, 4 settled" in done.stdout
    with out.open() as f:
        written = list(csv.DictReader(f))
    assert len(written) == 6 and set(REQUIRED) <= set(written[0])
    ann = next(r for r in written if r["player_id"] == "1" and r["game_date"] == str(night.DAY))
    assert (ann["call"], ann["line"], ann["price"], ann["result"], ann["closing_line"], ann["clv_points"]) == \
        ("OVER", "24.5", "1.87", "win", "25.5", "1")
    assert (ann["units"], ann["decided_at"], ann["closing_at"]) == ("0.87", "2024-01-16T18:00:00Z",
                                                                    "2024-01-16T23:30:00Z")


def test_a_range_without_calls_says_so_and_writes_the_header(home, tmp_path):
    out = tmp_path / "none.csv"
    done = run("ledger", "--start", "2024-01-10", "--end", "2024-01-10", "--out", out, home=home)
    assert done.returncode == 0, done.stderr
    assert "no OVER/UNDER calls of ensemble" in done.stdout
    assert out.read_text().strip() == ",".join(ledger.COLUMNS)


def test_system_chooses_whose_calls(home):
    done = run("ledger", "--start", night.DAY, "--end", night.DAY, "--system", "xgboost", home=home)
    assert done.returncode == 0, done.stderr
    assert "1 calls, 1 settled, -1.00 units" in done.stdout
    bad = run("ledger", "--start", night.DAY, "--end", night.DAY, "--system", "oracle", home=home)
    assert bad.returncode != 0 and "oracle" in bad.stderr


def test_a_row_re_priced_after_the_batch_takes_the_snapshot_with_its_line():
    """The batch read 4.5; the line moved to 5.5 at 20:00 and the row was re-priced there."""
    at = lambda text: pd.Timestamp(text)  # noqa: E731
    call = {"game_date": at("2024-01-16"), "player_id": 7, "player_name": "Gus", "team_abbr": "PHI",
            "prop": "rebounds", "system": "ensemble", "call": "OVER", "line": 5.5, "book": night.BOOK,
            "p_over": 0.6, "market_p_over": 0.5, "edge": 0.06, "batch_id": night.BATCH,
            "lines_as_of": at("2024-01-16T18:00Z"), "created_at": at("2024-01-16T18:05Z"),
            "tipoff_utc": at(night.TIP)}
    snap = {"game_date": at("2024-01-16"), "book": night.BOOK, "prop": "rebounds", "player_id": 7}
    snaps = pd.DataFrame([snap | {"as_of": at("2024-01-16T18:00Z"), "line": 4.5, "over_price": 1.9, "under_price": 1.9},
                          snap | {"as_of": at("2024-01-16T20:00Z"), "line": 5.5, "over_price": 2.05,
                                  "under_price": 1.8}])
    actuals = pd.DataFrame([{"game_date": at("2024-01-16"), "player_id": 7, "prop": "rebounds", "actual": 6.0}])
    row = ledger.grade(pd.DataFrame([call]), snaps, actuals, {night.DAY}).iloc[0]
    assert (row["price"], row["price_source"], row["result"]) == (2.05, "book", "win")
    assert row["units"] == pytest.approx(1.05) and row["decided_at"] == at("2024-01-16T20:00Z")
