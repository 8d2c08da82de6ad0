"""ObjectStore on a directory: the embedded default.

Each object has a generation number, as in GCS, kept in a sidecar file. A per-key
``flock`` makes read-check-write atomic across threads and processes, so create-only
(``if_generation_match=0``) and compare-and-swap (``if_generation_match=N``) hold.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from pathlib import Path

from shared.ports import Blob, NotFound, PreconditionFailed, validate_key


class DirectoryStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._objects = self.root / "objects"
        self._meta = self.root / "generations"
        self._locks = self.root / "locks"
        for d in (self._objects, self._meta, self._locks):
            d.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def _locked(self, key: str, shared: bool = False):
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        with open(self._locks / digest, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _generation(self, key: str) -> int:
        """Current generation, 0 when the object does not exist."""
        if not (self._objects / key).exists():
            return 0
        try:
            return int((self._meta / key).read_text())
        except FileNotFoundError:
            return 0

    def read(self, key: str) -> Blob:
        validate_key(key)
        with self._locked(key, shared=True):
            generation = self._generation(key)
            if not generation:
                raise NotFound(key)
            return Blob(key, (self._objects / key).read_bytes(), generation)

    def write(self, key: str, data: bytes, if_generation_match: int | None = None) -> int:
        validate_key(key)
        with self._locked(key):
            current = self._generation(key)
            if if_generation_match is not None and if_generation_match != current:
                raise PreconditionFailed(
                    f"{key}: if_generation_match={if_generation_match}, current generation {current}")
            generation = max(current + 1, time.time_ns() // 1000)
            _atomic_write(self._objects / key, data)
            _atomic_write(self._meta / key, str(generation).encode())
            return generation

    def list(self, prefix: str = "") -> list[str]:
        # an object counts once its generation is written too: a write killed between its two
        # renames, or still in flight, is not there yet
        return sorted(_walk(self._objects, prefix) & _walk(self._meta, prefix))

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._locked(key):
            try:
                (self._objects / key).unlink()
            except FileNotFoundError:
                raise NotFound(key) from None
            (self._meta / key).unlink(missing_ok=True)


def _walk(root: Path, prefix: str) -> set[str]:
    """Keys under root starting with prefix, walking only the deepest folder the prefix names."""
    folder = root / prefix.rsplit("/", 1)[0] if "/" in prefix else root
    if not folder.is_dir():
        return set()
    keys = set()
    for dirpath, _, files in os.walk(folder):
        base = Path(dirpath).relative_to(root).as_posix()
        for name in files:
            if not name.startswith(".tmp-"):
                key = name if base == "." else f"{base}/{name}"
                if key.startswith(prefix):
                    keys.add(key)
    return keys


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}-{time.monotonic_ns()}")
    # write-then-rename: a reader or a killed process never sees half an object. No fsync:
    # the promise is surviving a process kill (the kernel keeps the data), not power loss.
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
