"""Stored documents are read through their models (shared/documents.py), never by string keys:
no ``doc["..."]``, ``doc.get("...")``, ``found[0]["..."]`` or ``state["trigger"]``-style read
in production code outside the few modules that own a document still kept as a plain dict."""
from __future__ import annotations

import re

from tests.conftest import ROOT

PRODUCTION = ("shared", "coordinator", "worker", "orchestrator", "processors", "ingest", "modeling", "console", "bin")
STRING_KEYED = re.compile(
    r"""\b(?:doc|pointer|claim|marker|state|trigger|trig)(?:\[0\])?\[["']\w+["']\]"""
    r"""|\b(?:doc|pointer|claim|marker|state|trigger|trig)\.get\(["']\w+["']"""
    r"""|\w\[0\]\[["']\w+["']\]"""
    r"""|\[["'](?:trigger|processors|history)["']\]""")
# each owner reads its own document; what is read here is no one else's
OWNERS = {
    "shared/models/registry.py": "latest.json, read and written only by the registry (Registry.pointer)",
}
# string-keyed reads that are not of stored documents
NOT_DOCUMENTS = {
    "coordinator/app.py": "pydantic's ValidationError.errors()",
    "console/api.py": "pydantic's ValidationError.errors()",
    "bin/warehouse_reader.py": "pydantic's ValidationError.errors()",
    "console/reads.py": "the overview's answer (coordinator.recovery.overview), a dict built per call",
    "modeling/drift.py": "a model's metrics.json, read through the registry's read_json",
}


def string_keyed_reads(root=ROOT) -> list[str]:
    found = []
    for package in PRODUCTION:
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name in OWNERS or name in NOT_DOCUMENTS:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if STRING_KEYED.search(line.split("#")[0]):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_stored_document_is_read_by_string_keys():
    assert string_keyed_reads() == []


def test_the_check_sees_each_kind_of_string_keyed_read(tmp_path):
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "gate.py").write_text(
        'day = doc["game_date"]\nstate = found.get("state")\nwho = pointer[0]["batch_id"]\n'
        'seen = s["trigger"]\nok = doc.game_date  # doc["game_date"] in a comment\nx = trig.get("claim")\n')
    assert [f.split(":")[1] for f in string_keyed_reads(tmp_path)] == ["1", "3", "4", "6"]
