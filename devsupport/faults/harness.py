"""What every fault scenario shares: a prepared embedded stack and the tallies."""
from __future__ import annotations

import logging
import shutil
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bin import stack as local
from devsupport import ROOT
from ingest.importer import import_files
from processors.runner import nightly
from shared import tables, topology
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.catalogue import ROWS_PER_PLAYER
from shared.config import Settings

SYSTEMS = ROWS_PER_PLAYER   # rows per predicted player

TOKEN = "faults-token-0123456789"   # the services' bearer token in every scenario


@dataclass
class Row:
    fault: str
    injected: int
    batches: str
    rows_expected: int
    rows_written: int
    duplicates: int
    lost: int
    dead_lettered: int
    note: str = ""
    logged: str = ""

    @property
    def ok(self) -> bool:
        done, started = self.batches.split("/")
        return done == started and self.duplicates == 0 and self.lost == 0 and \
            self.rows_written == self.rows_expected


class Workspace:
    """A warehouse with the sample imported and the days' processors run, copied per scenario."""

    def __init__(self, days: list[date]):
        self.days = days
        self.root = Path(tempfile.mkdtemp(prefix="faults-"))
        base = self.root / "base"
        base.mkdir()
        wh = DuckDBWarehouse(base / "warehouse.duckdb")
        wh.ensure_tables()
        import_files(wh, [ROOT / "data" / "sample" / "player_logs_2023-24.csv.gz"])
        for d in days:
            nightly(wh, None, d)
        wh.close()
        self.base = base
        self.count = 0

    def home(self) -> Path:
        self.count += 1
        home = self.root / f"s{self.count}"
        shutil.copytree(self.base, home)
        return home

    def stack(self, **options):
        settings = Settings.from_env({"PIPELINE_HOME": str(self.home()), "PIPELINE_AUTH_TOKEN": TOKEN})
        return local.start(settings, start_dispatcher=False, **options)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Captured(logging.Handler):
    """Every WARNING-or-worse record a scenario logs, in place of the root handlers, so
    the table can show what each fault logged and at which severity."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summary(self) -> str:
        return summarise(Counter((r.levelname, r.name) for r in self.records if r.name not in NOISE))


def summarise(counts: Counter) -> str:
    """(severity, logger) counts as the table's `logged` column shows them."""
    return ", ".join(f"{level} {name} x{n}" for (level, name), n in sorted(counts.items()))


def duplicates(preds) -> int:
    return int(preds.duplicated(["game_date", "player_id", "system", "prop"]).sum())


# connection-pool chatter from the load itself, not from a fault
NOISE = {"urllib3.connectionpool"}


@contextmanager
def capture_logs():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = Captured()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def tally(st, fault: str, injected: int, note: str = "") -> Row:
    from coordinator.service import status_for_date

    results = [status_for_date(st.coordinator, d) for d in st.days] if hasattr(st, "days") else []
    preds = st.warehouse.query(f"SELECT game_date, player_id, system, prop, shadow FROM {tables.PREDICTIONS.fqn}")
    preds = preds[~preds["shadow"].fillna(False).astype(bool)]
    done = [r for r in results if r and r["state"] == "finished"]
    expected = sum(r["completed"] for r in done) * SYSTEMS
    lost = sum(len(r["missing"]) for r in results if r)
    dead = sum(len(st.bus.messages(t)) for t in topology.DEAD_LETTER_TOPICS)
    return Row(fault, injected, f"{len(done)}/{len(results)}", expected, len(preds),
               duplicates(preds), lost, dead, note)
