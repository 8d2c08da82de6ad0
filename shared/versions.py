"""Which prediction rows are served. News before tip-off writes a new prediction_version
beside a player's old rows (a superseding batch) or withdraws them (ruled out); the history
stays in the table. Readers (export, the read API, the console, grading) pick from it here,
in one place."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from shared.batch_docs import BatchDoc

# one served row per: the rest of the prediction key (model_version, prediction_version) is history
SERVED = ["game_date", "player_id", "system", "prop"]
STATES = ("latest", "superseded", "withdrawn")


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    version = frame["prediction_version"].fillna(1).astype("int64") if "prediction_version" in frame else 1
    return frame.assign(_version=version).sort_values(["_version", "created_at"], kind="stable")


def _group(frame: pd.DataFrame) -> list[str]:
    return [*SERVED, "shadow"] if "shadow" in frame else SERVED


def latest(frame: pd.DataFrame, keep_withdrawn: bool = False) -> pd.DataFrame:
    """The newest row per player, system and prop (the highest prediction_version, then the
    newest created_at: a forced batch served by a new model version writes rows beside the old
    batch's); a withdrawn player's rows left out unless ``keep_withdrawn``."""
    if not len(frame):
        return frame
    out = _ordered(frame).drop_duplicates(_group(frame), keep="last").drop(columns="_version")
    if not keep_withdrawn and "withdrawn_reason" in out:
        out = out[out["withdrawn_reason"].isna()]
    return out


def every_version(frame: pd.DataFrame) -> pd.DataFrame:
    """Every row, each with ``version_state``: latest (served), superseded (a newer version
    exists) or withdrawn (the player was ruled out; ``withdrawn_reason`` says why)."""
    if not len(frame):
        return frame.assign(version_state=pd.Series(dtype="string"))
    ordered = _ordered(frame)
    newest = ~ordered.duplicated(_group(frame), keep="last")
    state = pd.Series("superseded", index=ordered.index, dtype="string").where(~newest, "latest")
    if "withdrawn_reason" in ordered:
        state = state.where(ordered["withdrawn_reason"].isna(), "withdrawn")
    return ordered.assign(version_state=state).drop(columns="_version")


def stamp(frame: pd.DataFrame, doc: BatchDoc, lines_as_of: datetime | None) -> pd.DataFrame:
    """A batch's rows as it consolidates them: its version, parent, reason and as-of (from the
    batch document), and when the lines it priced with were posted (rows without a line get none)."""
    priced = frame["line"].notna() & (frame["line_book"].astype(object) != "manual")
    line_as_of = pd.Series(pd.Timestamp(lines_as_of) if lines_as_of is not None else pd.NaT, index=frame.index)
    return frame.assign(prediction_version=doc.prediction_version or 1,
                        parent_batch_id=doc.parent_batch_id, version_reason=doc.reason,
                        line_as_of=line_as_of.where(priced, pd.NaT),
                        predicted_as_of=pd.Timestamp(doc.as_of or doc.started_at))
