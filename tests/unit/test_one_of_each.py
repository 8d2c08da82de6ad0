"""Things the code must say once: the league's time zone (shared/timetable.py), the stall
deadline (coordinator/batches.py) and the coordinator's client (shared/coordinator_client.py)."""
from __future__ import annotations

import re

from tests.conftest import ROOT

PRODUCTION = ("shared", "coordinator", "worker", "orchestrator", "processors", "ingest", "modeling", "console", "bin")


def _sources():
    for package in PRODUCTION:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_the_eastern_zone_is_defined_once():
    found = [p for p, text in _sources() if re.search(r"""ZoneInfo\(\s*["']America/New_York""", text)
             or re.search(r"""=\s*["']America/New_York["']""", text)]
    assert found == ["shared/timetable.py"], found


def test_the_stall_deadline_and_the_coordinator_client_are_defined_once():
    stall = [p for p, text in _sources() if re.search(r"^\s*STALL_AFTER\s*=", text, re.M)]
    clients = [p for p, text in _sources() if re.search(r"^class CoordinatorClient\b", text, re.M)]
    assert stall == ["coordinator/batches.py"] and clients == ["shared/coordinator_client.py"], (stall, clients)
    assert not [p for p, text in _sources() if re.search(r"stall\w*\s*[:=].*timedelta\(minutes=10\)", text)]
