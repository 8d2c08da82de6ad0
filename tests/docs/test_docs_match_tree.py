"""The docs name only files that exist: every path in ARCHITECTURE.md's trees and every
repository path in backticks in the docs and the README."""
from __future__ import annotations

import fnmatch
import re

import pytest

from tests.conftest import ROOT

TOP = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")}
EXTENSIONS = (".py", ".md", ".txt", ".yml", ".json", ".toml", ".ini", ".csv.gz")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _is_path(token: str) -> bool:
    return token.endswith("/") or token.endswith(EXTENSIONS)


def tree_paths(text: str) -> set[str]:
    """Paths in code-block trees: a name indented under a folder line lives in that folder."""
    found = set()
    for block in re.findall(r"```\n(.*?)```", text, flags=re.S):
        folders: list[tuple[int, str]] = []
        for line in block.splitlines():
            m = re.match(r"^( *)([\w./-]+(?:, [\w./-]+)*)(?=\s|$)", line)
            if not m:
                continue
            indent, names = len(m.group(1)), m.group(2).split(", ")
            if not all(_is_path(n) for n in names):
                continue
            while folders and folders[-1][0] >= indent:
                folders.pop()
            parent = folders[-1][1] if folders and indent > 0 else ""
            for name in names:
                found.add(parent + name)
            if names[0].endswith("/") and len(names) == 1:
                folders.append((indent, parent + names[0]))
    return found


def backtick_paths(text: str) -> set[str]:
    return {t for t in re.findall(r"`([\w./-]+)`", text) if t.split("/")[0] in TOP and "/" in t and _is_path(t)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_the_docs_name_exists(doc):
    text = doc.read_text()
    named = backtick_paths(text) | (tree_paths(text) if doc.name == "ARCHITECTURE.md" else set())
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


def test_the_architecture_tree_is_read():
    """Guards the parser above: it must find nested files, or the test above proves nothing."""
    found = tree_paths((ROOT / "docs" / "ARCHITECTURE.md").read_text())
    assert {"shared/catalogue.py", "shared/adapters/inline_bus.py", "shared/models/bundled/",
            "orchestrator/main.py"} <= found
    assert "shared/no_such_file.py" not in found


def test_the_architecture_tree_names_every_folder_and_shared_module():
    """The other way round: the layout lists every top-level folder and every module of shared/
    (the ground floor every component builds on), so a new one is described where it is added;
    what git ignores (var/, caches) is state, not layout."""
    found = tree_paths((ROOT / "docs" / "ARCHITECTURE.md").read_text())
    ignored = [line.strip().strip("/") for line in (ROOT / ".gitignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    folders = {f"{name}/" for name in TOP if not any(fnmatch.fnmatch(name, pattern) for pattern in ignored)}
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "shared").glob("*.py") if p.name != "__init__.py"}
    missing = sorted((folders | modules) - found)
    assert not missing, f"docs/ARCHITECTURE.md's layout leaves out: {missing}"
