"""ObjectStore on a directory: the embedded default.

Each object has a generation number, as in GCS, kept in a sidecar file. A per-key
``flock`` makes read-check-write atomic across threads and processes, so create-only
(``if_generation_match=0``) and compare-and-swap (``if_generation_match=N``) hold.
A lock file lives only while its key is in use: the last holder removes it, so the
folder does not keep one file per key ever touched.
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
        sweep_locks(self._locks)

    @contextlib.contextmanager
    def _locked(self, key: str, shared: bool = False):
        path = self._locks / hashlib.sha256(key.encode()).hexdigest()[:32]
        fd = _acquire(path, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            _release(path, fd, shared)

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


def _acquire(path: Path, mode: int) -> int:
    """Lock the file at ``path``, created if missing. A holder removes the file when it lets
    go, so a lock taken on a file that is no longer at the path (or not the one there now)
    guards nothing: drop it and lock whatever the path holds now."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, mode)
            if _is_at(fd, path):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _release(path: Path, fd: int, shared: bool) -> None:
    """Remove the lock file when no one else holds it, then let go. Only an exclusive holder
    unlinks, and it checked at acquisition that the file is the one at the path; no one else
    can unlink it meanwhile, so the name never disappears under another holder."""
    try:
        if shared:
            try:   # the last reader out takes the lock exclusively, without waiting, to remove it
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)   # closing the descriptor releases the lock


def _is_at(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def sweep_locks(folder: Path) -> int:
    """Remove lock files a killed process left behind (its lock died with it); a file in use
    is left alone. Returns how many were removed."""
    removed = 0
    for name in os.listdir(folder):
        path = folder / name
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:   # its holder removed it meanwhile
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _is_at(fd, path):
                path.unlink()
                removed += 1
        except BlockingIOError:
            pass
        finally:
            os.close(fd)
    return removed


def _walk(root: Path, prefix: str) -> set[str]:
    """Keys under root starting with prefix, walking only the deepest folder the prefix names."""
    folder = root / prefix.rsplit("/", 1)[0] if "/" in prefix else root
    if not folder.is_dir():
        return set()
    keys: set[str] = set()
    skip = len(str(root)) + 1
    for dirpath, _, files in os.walk(folder):
        # a folder's key prefix once, not per file: the coordinator lists a batch's markers per report
        base = dirpath[skip:].replace(os.sep, "/")
        lead = f"{base}/" if base else ""
        keys.update(key for key in (lead + name for name in files if not name.startswith(".tmp-"))
                    if key.startswith(prefix))
    return keys


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}-{time.monotonic_ns()}")
    # write-then-rename: a reader or a killed process never sees half an object. No fsync:
    # the promise is surviving a process kill (the kernel keeps the data), not power loss.
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
