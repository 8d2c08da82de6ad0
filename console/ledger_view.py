"""The ledger as the read API and the Ledger page show it: shared/ledger.py's rows and totals
for a window (default: the last LEDGER_DAYS ending at the last date with a call)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from console.reads import Unknown, records
from shared import ledger, ledger_source, tables
from shared.ports import ObjectStore, Warehouse

LEDGER_DAYS = 30


def window(warehouse: Warehouse, start: date | None, end: date | None) -> tuple[date, date]:
    if end is None:
        last = warehouse.query(
            f"SELECT MAX(game_date) AS d FROM {tables.PREDICTIONS.fqn} WHERE game_date BETWEEN @a AND @b "
            "AND recommendation IN ('OVER', 'UNDER')", {"a": tables.EVERY_DATE[0], "b": tables.EVERY_DATE[1]})["d"]
        if pd.isna(last.iloc[0]):
            raise Unknown("no OVER/UNDER calls stored yet: calls need lines (`import-lines` or `fetch-lines`) "
                          "before the batch")
        end = pd.Timestamp(last.iloc[0]).date()
    if start is None:
        start = end - timedelta(days=LEDGER_DAYS - 1) if end > date.min + timedelta(days=LEDGER_DAYS) else date.min
    return start, end


def answer(warehouse: Warehouse, store: ObjectStore, start: date, end: date, system: str) -> dict:
    """The window's calls and their totals: over everything and per prop, book, edge bucket, month."""
    rows = ledger_source.read(warehouse, store, start, end, system)
    return {"start": start.isoformat(), "end": end.isoformat(), "system": system,
            "total": records(ledger.totals(rows).drop(columns="scope"))[0],
            "by": {column: records(ledger.totals(rows, column)) for column in ledger.GROUPS.values()},
            "calls": records(rows)}
