"""What news did to a night, for the console: each injury report's changes and the batch it
started (Tonight), and on the Slate the predictions that moved (old -> new, with the reason)
and the players withdrawn."""
from __future__ import annotations

from datetime import date

import pandas as pd

from coordinator import news
from shared import tables, versions
from shared.batch_docs import eastern
from shared.ports import ObjectStore


def reports(store: ObjectStore, day: date) -> list[dict]:
    """Each report handled for ``day``, newest first: its changes, the batch it started and
    what it withdrew or left alone."""
    shown = []
    for effect in reversed(news.effects(store, day)):
        tipped = {g.team_abbr for g in effect.tipped}
        shown.append({"report": eastern(effect.report_as_of), "source": effect.report_source,
                      "checked": eastern(effect.checked_at), "batch_id": effect.batch_id, "players": effect.players,
                      "version": effect.prediction_version, "teams": effect.teams, "reason": effect.reason,
                      "tipped": [f"{g.team_abbr} (tip-off {eastern(g.tipoff)})" for g in effect.tipped],
                      "changes": [{"player": c.player_name, "team": c.team_abbr, "before": c.before, "after": c.after,
                                   "effect": "tipped: left alone" if c.team_abbr in tipped
                                   else "withdrawn" if str(c.player_id) in effect.withdrawn
                                   else "team re-predicted"} for c in effect.changes]})
    return shown


def history(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Every version of the date's exported ``rows``, each with ``previous``: the prediction
    of the version before it (NaN for a first version). None when news moved nothing (most
    nights: the slate skips the work)."""
    if not (rows["prediction_version"].fillna(1).gt(1) | rows["withdrawn_reason"].notna()).any():
        return None
    every = versions.every_version(tables.exported(rows))
    every = every.sort_values(["prediction_version", "created_at"], kind="stable")
    return every.assign(previous=every.groupby(["player_id", "system", "prop"])["predicted"].shift())


def withdrawn(every: pd.DataFrame | None, system: str | None) -> list[dict]:
    """The players news withdrew (one line each, whatever the props), by name."""
    if every is None:
        return []
    gone = every[every["version_state"] == "withdrawn"]
    if system is not None:
        gone = gone[gone["system"] == system]
    gone = gone.drop_duplicates("player_id").sort_values("player_name")
    return [{"player": r.player_name, "team": r.team_abbr, "reason": r.withdrawn_reason} for r in gone.itertuples()]


def marked(frame: pd.DataFrame, every: pd.DataFrame | None) -> pd.DataFrame:
    """The served rows with ``moved``: "old -> new: reason" where news made a new version."""
    if every is None or not len(frame):
        return frame.assign(moved=pd.Series(dtype="object"))
    latest = every[every["version_state"] == "latest"][["player_id", "system", "prop", "previous"]]
    out = frame.merge(latest, on=["player_id", "system", "prop"], how="left")
    text = [f"{old:.1f} -> {new:.1f}: {why}" if old == old and isinstance(why, str) else ""
            for old, new, why in zip(out["previous"].astype(float), out["predicted"].astype(float),
                                     out["version_reason"].astype(object), strict=True)]
    return out.assign(moved=text).drop(columns="previous")
