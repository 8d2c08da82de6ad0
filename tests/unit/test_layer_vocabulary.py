"""Domain code speaks in its own parameters; the CLI words its refusals with its flags. A
domain message may point at a whole command a person can type (`bin/pipeline backfill
--start ...`), never at a bare flag of one caller."""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from bin.cli.common import refusal
from shared.errors import BadArgument
from tests.conftest import ROOT

DOMAIN = ("shared", "processors", "worker", "coordinator", "orchestrator", "ingest", "modeling")
FLAG = re.compile(r"(?<![\w/-])--[a-z][a-z-]+")


def _texts(path: Path):
    """The strings the code says: f-strings whole, docstrings left out (they may describe the CLI)."""
    tree = ast.parse(path.read_text(), str(path))
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            skip.add(id(node.body[0].value))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_domain_module_names_a_bare_cli_flag():
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:80]!r}"
             for package in DOMAIN for path in sorted((ROOT / package).rglob("*.py"))
             for line, text in _texts(path) if FLAG.search(text) and "bin/pipeline" not in text]
    assert not found, "domain code names a caller's flag:\n" + "\n".join(found)


def test_the_cli_words_a_domain_refusal_with_its_flag():
    from processors.backfill import backfill

    with pytest.raises(BadArgument) as refused:
        backfill(None, date(2024, 1, 5), date(2024, 1, 1))
    assert refused.value.field == "end"
    assert refusal(refused.value) == "--end 2024-01-01: is before start 2024-01-05"
    assert refusal(BadArgument("register_as", "boss", "champion or challenger")) == \
        "--register-as 'boss': champion or challenger"
    assert refusal(ValueError("plain")) == "plain"
