"""The call margin (PIPELINE_CALL_MARGIN) chosen on validation data: the served system's
predictions re-judged at line proxies (the player's last-10 mean rounded to the nearest half
point, -110 both ways) for each candidate margin, graded by the ledger's own code. The margin
is chosen on 2022-23 (the bundled models' validation season) as the one with the most units,
then read on 2023-24, which no model trained on.

PIPELINE_HOME must be a workspace with the nine seasons imported and backfilled; the dates
of the two regular seasons without a batch are predicted first, the served system only
(ensemble, with the two models it blends), through the coordinator and worker code as
predict-range runs them:
    PIPELINE_HOME=/tmp/ws bin/bench call-margin
"""
from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pandas as pd

from shared import ledger, tables
from shared.bootstrap import build_warehouse
from shared.catalogue import PROPS
from shared.config import Settings
from shared.pricing import STANDARD_PRICE, judge

SEASONS = {"2022-23 (validation)": (date(2022, 10, 18), date(2023, 4, 9)),     # the regular seasons
           "2023-24 (held out)": (date(2023, 10, 24), date(2024, 4, 14))}
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.10, 0.15)
SYSTEM = "ensemble"


def proxied(wh, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame, set]:
    """The system's rows with a proxy line, the box-score outcomes, the dates with results.
    Rows of players with at least ten earlier games that season (a last-10 mean exists)."""
    preds = wh.read(tables.PREDICTIONS.fqn, start, end)
    preds = preds[(preds["system"] == SYSTEM) & ~preds["shadow"].fillna(False).astype(bool)]
    feats = wh.read(tables.ML_FEATURE_STORE.fqn, start, end,
                    columns=["game_date", "player_id", "games_played_season", *(p.baselines["last10"] for p in PROPS)])
    rows = preds.merge(feats[feats["games_played_season"] >= 10], on=["game_date", "player_id"])
    last10 = pd.Series(float("nan"), index=rows.index)
    for p in PROPS:
        of_prop = rows["prop"] == p.name
        last10[of_prop] = rows.loc[of_prop, p.baselines["last10"]]
    rows["line"] = (last10 * 2).round() / 2
    box = wh.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end)
    played = box["played"].fillna(False).astype(bool)
    actuals = pd.concat([box[["game_date", "player_id"]].assign(prop=p.name, actual=p.actual(box).astype(float)
                                                                .where(played)) for p in PROPS], ignore_index=True)
    return rows, actuals, set(box["game_date"].dt.date)


def at_margin(rows: pd.DataFrame, margin: float) -> pd.DataFrame:
    """The calls the rule makes at ``margin`` at the proxy lines, as the ledger's call frame."""
    judged = pd.DataFrame([judge(a, b, c, line, margin=margin) for a, b, c, line in
                           zip(rows["p10"], rows["p50"], rows["p90"], rows["line"], strict=True)], index=rows.index)
    calls = rows[["game_date", "player_id", "player_name", "team_abbr", "prop", "system", "batch_id",
                  "created_at"]].assign(call=judged["recommendation"], line=judged["line"], p_over=judged["p_over"],
                                        market_p_over=judged["market_p_over"], edge=judged["edge"], book="proxy",
                                        lines_as_of=pd.NaT, tipoff_utc=pd.NaT)
    return calls[calls["call"].isin(ledger.CALLS)]


def season_table(rows, actuals, settled) -> pd.DataFrame:
    """Bets, wins, losses, pushes, units and ROI per margin, every prop together and per prop."""
    out = []
    for margin in MARGINS:
        calls = at_margin(rows, margin)
        # the proxy is the "book": its price is -110 both ways, at the call's own line
        snaps = calls[["game_date", "player_id", "prop", "book", "line"]].assign(
            as_of=calls["created_at"], over_price=STANDARD_PRICE, under_price=STANDARD_PRICE)
        graded = ledger.grade(calls, snaps, actuals, settled)
        for prop, part in [("all", graded), *graded.groupby("prop")]:
            t = ledger.totals(part).iloc[0]
            out.append({"margin": margin, "prop": prop, **{k: t[k] for k in ("bets", "wins", "losses", "pushes",
                                                                              "units", "roi")}})
    return pd.DataFrame(out)


def predict(settings: Settings, start: date, end: date) -> int:
    """The range's dates without a batch, predicted by the served system: how many."""
    from bin.stack import inline
    from coordinator.requests import StartRequest
    from coordinator.service import start as start_batch
    from shared.bootstrap import build_store

    wh = build_warehouse(settings)
    try:
        chain = inline(settings, wh, build_store(settings))
        dates = sorted({d.date() for d in wh.read(tables.ML_FEATURE_STORE.fqn, start, end,
                                                  columns=["game_date"])["game_date"]})
        made = 0
        for d in dates:
            code, _ = start_batch(chain.coordinator, StartRequest(game_date=d, systems=[SYSTEM]), d)
            made += code == 202
        return made
    finally:
        wh.close()


def run(data: Path) -> None:
    settings = Settings.from_env()
    for label, (start, end) in SEASONS.items():
        began = time.perf_counter()
        made = predict(settings, start, end)
        print(f"{label}: {made} dates predicted ({SYSTEM}) in {time.perf_counter() - began:.0f}s", flush=True)
    wh = build_warehouse(settings, read_only=True)
    chosen = None
    for label, (start, end) in SEASONS.items():
        began = time.perf_counter()
        rows, actuals, settled = proxied(wh, start, end)
        table = season_table(rows, actuals, settled)
        whole = table[table["prop"] == "all"].set_index("margin")
        if chosen is None:
            chosen = float(whole["units"].idxmax())
        print(f"\n{label}: {len(rows):,} {SYSTEM} rows at line proxies ({time.perf_counter() - began:.0f}s); "
              f"margin chosen on 2022-23: {chosen}")
        print(whole[["bets", "wins", "losses", "pushes", "units", "roi"]].round(4).to_string())
        per_prop = table[table["prop"] != "all"].pivot(index="margin", columns="prop", values="roi").round(4)
        print("ROI per prop:\n" + per_prop.to_string())
    if os.environ.get("PIPELINE_CALL_MARGIN"):
        print(f"(PIPELINE_CALL_MARGIN={os.environ['PIPELINE_CALL_MARGIN']} is set; this measures every candidate)")
