"""The ledger: every OVER/UNDER call graded after its night at the line and price it was made
with, one unit flat, with the closing line and closing-line value (CLV). Pure: frames in,
frames out; shared/ledger_source.py reads them from the warehouse. Both the CLI and the
console (which may not import modeling) read through here.

Definitions (docs/LEDGER.md says them for people):
- price: the decimal price of the call's side in the snapshot of the call's book, at the
  call's line, that the call was made with (the latest at or before the batch's line
  snapshot, else at or before the row's created_at, else, for a row re-priced later, the
  last before tip-off); -110 when none (what the call assumed).
- result: win, loss or push against the actual; void when the player did not play (books
  refund); pending while the night has no box scores. Units: price - 1, -1, 0.
- closing line: the last snapshot of the same book before the game's tip-off.
- clv_points: closing line - line for an OVER, line - closing line for an UNDER.
- clv_prob: the no-vig probability of the call's side at the close minus at the decision,
  only when the closing line is the call's line (at another line the two do not compare)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from shared.pricing import STANDARD_PRICE

CALLS = ("OVER", "UNDER")
SETTLED = ("win", "loss", "push")
ASSUMED = "assumed -110"
# one row per call, in this order (the CSV and /v1/ledger)
COLUMNS = ("game_date", "player_id", "player_name", "team_abbr", "prop", "system", "call", "line", "price", "book",
           "price_source", "decided_at", "p_over", "market_p_over", "edge", "edge_bucket", "actual", "result",
           "units", "closing_line", "closing_price", "closing_at", "clv_points", "clv_prob", "batch_id")
# what a call frame handed to grade() holds
CALL_COLUMNS = ("game_date", "player_id", "player_name", "team_abbr", "prop", "system", "call", "line", "book",
                "p_over", "market_p_over", "edge", "batch_id", "lines_as_of", "created_at", "tipoff_utc")
SNAPSHOT_COLUMNS = ("game_date", "as_of", "book", "prop", "player_id", "line", "over_price", "under_price")
EDGE_BINS = (-np.inf, 0.03, 0.05, 0.10, 0.20, np.inf)
EDGE_LABELS = ("under 3%", "3-5%", "5-10%", "10-20%", "20%+")
GROUPS = {"prop": "prop", "book": "book", "edge bucket": "edge_bucket", "month": "month"}
TOTAL_COLUMNS = ("bets", "wins", "losses", "pushes", "units", "roi", "clv_points", "clv_prob", "void", "pending")


def no_vig_over(over_price, under_price):
    """The market's P(over) with the book's margin taken out (decimal prices)."""
    over, under = 1 / over_price, 1 / under_price
    return over / (over + under)


def grade(calls: pd.DataFrame, snapshots: pd.DataFrame, actuals: pd.DataFrame, settled_dates) -> pd.DataFrame:
    """One ledger row per call. ``actuals``: game_date, player_id, prop, actual (NaN: on the
    box score without playing); ``settled_dates``: the dates whose box scores are in."""
    calls = _typed(calls[list(CALL_COLUMNS)].reset_index(drop=True), ("lines_as_of", "created_at", "tipoff_utc"))
    calls = calls.assign(call_id=np.arange(len(calls)))
    snaps = _typed(snapshots[list(SNAPSHOT_COLUMNS)], ("as_of",))
    snaps = snaps[snaps["player_id"].notna()]
    keys = ["game_date", "player_id", "prop", "book"]
    at_batch = _last(calls, snaps, [*keys, "line"], "lines_as_of", strictly=False)
    at_row = _last(calls, snaps, [*keys, "line"], "created_at", strictly=False)
    # a row re-priced after it was made (its line moved) carries a line no earlier snapshot had
    repriced = _last(calls, snaps, [*keys, "line"], "tipoff_utc", strictly=True)
    decision = _first_found(at_batch, at_row, repriced)
    closing = _last(calls, snaps, keys, "tipoff_utc", strictly=True)
    over = calls["call"].eq("OVER").to_numpy()
    ids = calls["call_id"]

    def side(frame: pd.DataFrame) -> pd.Series:
        got = frame.reindex(ids)
        return pd.Series(np.where(over, got["over_price"], got["under_price"]), index=calls.index, dtype="float64")

    booked = side(decision)
    out = calls.copy()
    out["price"] = booked.fillna(STANDARD_PRICE)
    out["price_source"] = np.where(booked.notna(), "book", ASSUMED)
    out["decided_at"] = decision.reindex(ids)["as_of"].to_numpy()
    out["edge_bucket"] = pd.cut(out["edge"], EDGE_BINS, labels=EDGE_LABELS, right=False).astype("string")
    out = _settle(out, actuals, settled_dates, over)
    shut = closing.reindex(ids)
    out["closing_line"] = shut["line"].to_numpy()
    out["closing_price"] = side(closing).to_numpy()
    out["closing_at"] = shut["as_of"].to_numpy()
    direction = np.where(over, 1.0, -1.0)
    out["clv_points"] = direction * (out["closing_line"] - out["line"]) + 0.0   # + 0.0: no -0.0 for an UNDER
    opened = decision.reindex(ids)
    p_open = no_vig_over(opened["over_price"].to_numpy(), opened["under_price"].to_numpy())
    p_close = no_vig_over(shut["over_price"].to_numpy(), shut["under_price"].to_numpy())
    same_line = (out["closing_line"] == out["line"]).to_numpy()
    out["clv_prob"] = np.where(same_line, direction * (p_close - p_open) + 0.0, np.nan)
    return out[list(COLUMNS)].sort_values(["game_date", "prop", "player_name", "system"], kind="stable") \
        .reset_index(drop=True)


def _first_found(*found: pd.DataFrame) -> pd.DataFrame:
    """Per call, the snapshot of the first frame that has one."""
    picked = found[0]
    for more in found[1:]:
        picked = pd.concat([picked, more[~more.index.isin(picked.index)]])
    return picked


def _typed(frame: pd.DataFrame, instants: tuple[str, ...]) -> pd.DataFrame:
    """One dtype per key whichever reader built the frame: merges and comparisons need it."""
    typed = {"game_date": pd.to_datetime(frame["game_date"]).astype("datetime64[ns]"),
             "player_id": frame["player_id"].astype("Int64")}
    typed |= {c: pd.to_datetime(frame[c], utc=True).astype("datetime64[ns, UTC]") for c in instants}
    return frame.assign(**typed)


def _last(calls: pd.DataFrame, snaps: pd.DataFrame, keys: list[str], cutoff: str, strictly: bool) -> pd.DataFrame:
    """Per call, the latest snapshot matching ``keys`` at (or, strictly, before) the call's
    ``cutoff`` time, indexed by call_id; a call without one (or without a cutoff) is absent."""
    joined = calls[["call_id", *keys, cutoff]].merge(snaps, on=keys)
    limit = joined[cutoff]
    inside = (joined["as_of"] < limit) if strictly else (joined["as_of"] <= limit)
    picked = joined[inside.fillna(False).astype(bool)].sort_values("as_of", kind="stable")
    return picked.drop_duplicates("call_id", keep="last").set_index("call_id")[
        ["as_of", "line", "over_price", "under_price"]]


def _settle(out: pd.DataFrame, actuals: pd.DataFrame, settled_dates, over: np.ndarray) -> pd.DataFrame:
    keys = ["game_date", "player_id", "prop"]
    actual = out[keys].merge(_typed(actuals[[*keys, "actual"]], ()), on=keys, how="left")["actual"].astype("float64")
    out["actual"] = actual.to_numpy()
    settled = out["game_date"].isin(pd.to_datetime(list(settled_dates)).astype("datetime64[ns]")).to_numpy()
    above, below = (actual > out["line"]).to_numpy(), (actual < out["line"]).to_numpy()
    won = np.where(over, above, below)
    lost = np.where(over, below, above)
    played = actual.notna().to_numpy()
    out["result"] = np.select([~settled, ~played, won, lost], ["pending", "void", "win", "loss"], "push")
    out["units"] = np.select([out["result"].eq("win"), out["result"].eq("loss"), out["result"].eq("pending")],
                             [out["price"] - 1, -1.0, np.nan], 0.0)
    return out


def totals(ledger: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Bets (settled calls: wins, losses, pushes), units, ROI (units per bet), mean CLV in
    points and no-vig probability over the bets that have a closing line; voids and pending
    counted beside. One row per value of ``by`` (a ledger column or "month"), or one row."""
    frame = ledger.assign(month=pd.to_datetime(ledger["game_date"]).dt.strftime("%Y-%m"),
                          edge_bucket=pd.Categorical(ledger["edge_bucket"], EDGE_LABELS, ordered=True))
    rows = []
    for key, g in (frame.groupby(by, sort=True, dropna=False, observed=True) if by else [("all", frame)]):
        bets = g[g["result"].isin(SETTLED)]
        n = len(bets)
        units = float(bets["units"].sum())
        rows.append({by or "scope": key, "bets": n, "wins": int((bets["result"] == "win").sum()),
                     "losses": int((bets["result"] == "loss").sum()), "pushes": int((bets["result"] == "push").sum()),
                     "units": units, "roi": units / n if n else None,
                     "clv_points": _mean(bets["clv_points"]), "clv_prob": _mean(bets["clv_prob"]),
                     "void": int((g["result"] == "void").sum()), "pending": int((g["result"] == "pending").sum())})
    return pd.DataFrame(rows, columns=[by or "scope", *TOTAL_COLUMNS])


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None
