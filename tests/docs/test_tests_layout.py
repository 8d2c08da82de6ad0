"""The tests mirror the code: what several packages share lives in tests/support (helpers) and
tests/conftest.py (fixtures); a test never imports another package's conftest or test module,
so moving or deleting one package's tests cannot break another's."""
from __future__ import annotations

import ast

from tests.conftest import ROOT

TESTS = ROOT / "tests"
SHARED = {"tests", "tests.conftest", "tests.support"}


def cross_package_imports(tests_dir=TESTS) -> list[str]:
    found = []
    root = tests_dir.parent
    for path in sorted(tests_dir.rglob("*.py")):
        package = ".".join(path.relative_to(root).parts[:2]) if path.parent != tests_dir else "tests"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if not name.startswith("tests.") or name in SHARED or name.startswith("tests.support."):
                    continue
                if name != package and not name.startswith(package + "."):
                    found.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
    return found


def test_no_test_imports_another_packages_conftest_or_tests():
    assert cross_package_imports() == []


def test_the_check_sees_a_cross_package_import(tmp_path):
    (tmp_path / "tests" / "worker").mkdir(parents=True)
    (tmp_path / "tests" / "worker" / "test_a.py").write_text(
        "from tests.e2e.conftest import DAY\nfrom tests.worker.conftest import x\n"
        "from tests.support.stack import DAY\n")
    assert cross_package_imports(tmp_path / "tests") == ["tests/worker/test_a.py:1 imports tests.e2e.conftest"]
