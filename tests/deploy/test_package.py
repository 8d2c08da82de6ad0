"""The project installs as a package: `pip install -e .` in a fresh virtualenv gives working
`pipeline`, `deploy` and `bench` commands, and the package's dependencies are exactly the
requirement files' (one per deployable), so the two lists cannot drift apart. The fresh venv
sees the project venv's installed libraries through a .pth file: this checks the packaging
(discovery, entry points, data files); only the build backend (setuptools) comes from the
package index, as any `pip install` gets it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _flattened(path: Path) -> set[str]:
    found = set()
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r"):
            found |= _flattened((path.parent / line[2:].strip()).resolve())
        elif line:
            found.add(line)
    return found


def test_the_package_lists_the_requirement_files_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) == _flattened(ROOT / "requirements.txt")


@pytest.mark.timeout(600)
def test_pip_install_editable_gives_working_commands(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "project_libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIPELINE_HOME")}
    source = tmp_path / "project"    # a copy: the build writes its metadata beside pyproject.toml
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split("\n")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "-q", "-e", str(source)],
                             capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert install.returncode == 0, install.stdout + install.stderr
    for command, expected in (("pipeline", "fetch-box-scores"), ("deploy", "--dry-run"), ("bench", "feeds")):
        out = subprocess.run([str(venv / "bin" / command), "--help"], capture_output=True, text=True, env=env,
                             timeout=120, cwd=tmp_path)
        assert out.returncode == 0 and expected in out.stdout, (command, out.stdout, out.stderr)
    home = subprocess.run([str(venv / "bin" / "pipeline"), "feeds"], capture_output=True, text=True,
                          env={**env, "PIPELINE_HOME": str(tmp_path / "home")}, timeout=120, cwd=tmp_path)
    assert home.returncode == 0, home.stdout + home.stderr
    assert (tmp_path / "home").is_dir(), "the installed command reads PIPELINE_HOME as bin/pipeline does"
