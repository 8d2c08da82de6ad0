"""`bin/setup` (which `bin/demo` runs first) says what it is doing while it installs: how long
the first install takes, a line per package, the install, the time it took; and nothing when
the virtualenv is already up to date. Run on a copy whose requirements name one local wheel,
so no network is needed."""
from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def _wheel(folder) -> str:
    name = "setup_probe-1.0-py3-none-any.whl"
    files = {"setup_probe/__init__.py": b"VALUE = 1\n",
             "setup_probe-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: setup-probe\nVersion: 1.0\n",
             "setup_probe-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                                b"Tag: py3-none-any\n"}
    record = "".join(f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for path, data in files.items())
    with zipfile.ZipFile(folder / name, "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
        wheel.writestr("setup_probe-1.0.dist-info/RECORD", record + "setup_probe-1.0.dist-info/RECORD,,\n")
    return name


def test_setup_says_what_it_installs_and_how_long_it_takes(tmp_path):
    repo = tmp_path / "repo"
    (repo / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "bin" / "setup", repo / "bin" / "setup")
    (repo / "service").mkdir()
    (repo / "service" / "requirements.txt").write_text("")
    (repo / "requirements-dev.txt").write_text(f"./{_wheel(repo)}\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "PIP_NO_INDEX": "1", "HOME": str(tmp_path)}

    first = subprocess.run([str(repo / "bin" / "setup")], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines()[0].startswith(
        "setup: installing Python dependencies into .venv: about 115 packages and 2 minutes the first time")
    assert "setup: [1] setup_probe-1.0-py3-none-any.whl" in first.stderr
    assert "setup: installing 1 package(s) into the virtualenv" in first.stderr
    assert first.stderr.splitlines()[-1].startswith("setup: dependencies ready in "), first.stderr
    assert (repo / ".venv" / "bin" / "python").exists()

    again = subprocess.run([str(repo / "bin" / "setup")], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0 and again.stderr == "", again.stderr
