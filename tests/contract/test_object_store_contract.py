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
