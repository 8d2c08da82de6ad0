"""The ObjectStore contract, run against the directory store and GCS (fake-gcs-server)."""
from __future__ import annotations

import threading
import uuid

import pytest

from shared.adapters.directory_store import DirectoryStore
from shared.ports import InvalidKey, NotFound, PreconditionFailed


@pytest.fixture(params=["directory", pytest.param("gcs", marks=pytest.mark.emulator)])
def store(request, tmp_path):
    if request.param == "directory":
        return DirectoryStore(tmp_path / "objects")
    from shared.adapters.gcs_store import GCSStore

    client = request.getfixturevalue("gcs_client")
    bucket = f"contract-{uuid.uuid4().hex[:12]}"
    client.create_bucket(bucket)
    return GCSStore(bucket, client=client)


def test_write_then_read_returns_data_and_generation(store):
    gen = store.write("a/b.json", b'{"x": 1}')
    blob = store.read("a/b.json")
    assert blob.data == b'{"x": 1}' and blob.generation == gen


def test_missing_object_raises_not_found(store):
    with pytest.raises(NotFound):
        store.read("nope/missing.json")


def test_create_only_conflicts_when_the_object_exists(store):
    store.write("claims/batch-1", b"first", if_generation_match=0)
    with pytest.raises(PreconditionFailed):
        store.write("claims/batch-1", b"second", if_generation_match=0)
    assert store.read("claims/batch-1").data == b"first"


def test_compare_and_swap_rejects_a_stale_generation(store):
    g1 = store.write("state.json", b"v1")
    g2 = store.write("state.json", b"v2", if_generation_match=g1)
    assert g2 != g1
    with pytest.raises(PreconditionFailed):
        store.write("state.json", b"v3", if_generation_match=g1)
    assert store.read("state.json").data == b"v2"


def test_concurrent_cas_increments_lose_nothing(store):
    store.write("counter", b"0", if_generation_match=0)

    def bump(times):
        for _ in range(times):
            while True:
                blob = store.read("counter")
                try:
                    store.write("counter", str(int(blob.data) + 1).encode(), if_generation_match=blob.generation)
                    break
                except PreconditionFailed:
                    continue

    threads = [threading.Thread(target=bump, args=(5,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.read("counter").data == b"30"


def test_list_by_prefix_and_delete(store):
    for key in ("m/x/1", "m/x/2", "m/y/1"):
        store.write(key, b"-")
    assert store.list("m/x/") == ["m/x/1", "m/x/2"]
    store.delete("m/x/1")
    assert store.list("m/") == ["m/x/2", "m/y/1"]
    with pytest.raises(NotFound):
        store.delete("m/x/1")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", "", "a\x00b", "a\\b"])
def test_keys_that_could_escape_are_refused(store, key):
    with pytest.raises(InvalidKey):
        store.write(key, b"x")


def test_a_directory_write_killed_between_its_two_renames_is_not_there(tmp_path):
    """SIGKILL after the object's rename and before its generation's: the object must be
    neither listed nor readable, and creating it afresh must succeed."""
    store = DirectoryStore(tmp_path / "objects")
    store.write("batches/b/done/1.json", b"{}")
    store.write("batches/b/done/2.json", b"{}")
    (tmp_path / "objects" / "generations" / "batches" / "b" / "done" / "2.json").unlink()
    assert store.list("batches/b/done/") == ["batches/b/done/1.json"]
    with pytest.raises(NotFound):
        store.read("batches/b/done/2.json")
    assert store.write("batches/b/done/2.json", b'{"again": 1}', if_generation_match=0) > 0
    assert store.list("batches/b/done/") == ["batches/b/done/1.json", "batches/b/done/2.json"]


def test_a_directory_store_keeps_no_lock_file_once_its_keys_are_let_go(tmp_path):
    """A session touches thousands of keys (a marker per player per batch); a lock file per
    key ever touched used to pile up in objects/locks."""
    store = DirectoryStore(tmp_path / "objects")
    for i in range(20):
        store.write(f"batches/b/done/{i}.json", b"{}", if_generation_match=0)
        store.read(f"batches/b/done/{i}.json")
    store.delete("batches/b/done/0.json")
    with pytest.raises(PreconditionFailed):
        store.write("batches/b/done/1.json", b"{}", if_generation_match=0)
    with pytest.raises(NotFound):
        store.read("batches/b/done/0.json")
    assert list((tmp_path / "objects" / "locks").iterdir()) == []


def test_a_lock_file_left_by_a_killed_process_is_swept_and_one_in_use_is_kept(tmp_path):
    import fcntl

    locks = tmp_path / "objects" / "locks"
    locks.mkdir(parents=True)
    (locks / "left-by-a-killed-process").write_text("")
    with open(locks / "held-by-a-live-process", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        store = DirectoryStore(tmp_path / "objects")
        assert [p.name for p in locks.iterdir()] == ["held-by-a-live-process"]
    store.write("k", b"v")
    assert store.read("k").data == b"v"


def test_directory_store_locks_exclude_across_processes_while_files_come_and_go(tmp_path):
    """Compare-and-swap increments from several processes at once (each lock file created and
    removed many times over): every increment lands."""
    import multiprocessing

    store = DirectoryStore(tmp_path / "objects")
    store.write("counter", b"0", if_generation_match=0)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_bump, args=(tmp_path / "objects", 25)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 4
    assert store.read("counter").data == b"100"
    assert list((tmp_path / "objects" / "locks").iterdir()) == []


def _bump(root, times: int) -> None:
    store = DirectoryStore(root)
    for _ in range(times):
        while True:
            blob = store.read("counter")
            try:
                store.write("counter", str(int(blob.data) + 1).encode(), if_generation_match=blob.generation)
                break
            except PreconditionFailed:
                continue
