"""Requests that arrive while a group runs go together as the next group; a failing group is
retried request by request so only the bad request fails."""
from __future__ import annotations

import threading

import pytest

from worker.coalesce import Coalescer


def _submit_in_thread(coalescer: Coalescer, item, outcomes: dict) -> threading.Thread:
    def go():
        try:
            coalescer.submit(item)
            outcomes[item] = "ok"
        except Exception as exc:
            outcomes[item] = f"{type(exc).__name__}: {exc}"
    thread = threading.Thread(target=go)
    thread.start()
    return thread


def test_requests_arriving_during_a_group_run_together_as_the_next_group():
    groups: list[list[str]] = []
    first_running, release = threading.Event(), threading.Event()

    def run(items):
        groups.append(list(items))
        if items == ["a"]:
            first_running.set()
            assert release.wait(30)

    coalescer, outcomes = Coalescer(run), {}
    threads = [_submit_in_thread(coalescer, "a", outcomes)]
    assert first_running.wait(30)
    threads += [_submit_in_thread(coalescer, item, outcomes) for item in ("b", "c", "d")]
    assert coalescer.wait_queued(3)
    release.set()
    for t in threads:
        t.join(30)
    assert [sorted(g) for g in groups] == [["a"], ["b", "c", "d"]]
    assert outcomes == {"a": "ok", "b": "ok", "c": "ok", "d": "ok"}
    assert (coalescer.groups, coalescer.items) == (2, 4)


def test_a_failing_group_is_retried_one_by_one_and_only_the_bad_item_fails():
    calls: list[list[str]] = []
    first_running, release = threading.Event(), threading.Event()

    def run(items):
        calls.append(list(items))
        if items == ["first"]:
            first_running.set()
            assert release.wait(30)
        if "bad" in items:
            raise ValueError("bad request")

    coalescer, outcomes = Coalescer(run), {}
    threads = [_submit_in_thread(coalescer, "first", outcomes)]
    assert first_running.wait(30)
    threads += [_submit_in_thread(coalescer, item, outcomes) for item in ("x", "bad", "y")]
    assert coalescer.wait_queued(3)
    release.set()
    for t in threads:
        t.join(30)
    assert sorted(calls[1]) == ["bad", "x", "y"] and sorted(map(tuple, calls[2:])) == [("bad",), ("x",), ("y",)]
    assert outcomes == {"first": "ok", "x": "ok", "y": "ok", "bad": "ValueError: bad request"}


def test_a_lone_request_raises_what_its_run_raised():
    def run(items):
        raise RuntimeError("store down")

    with pytest.raises(RuntimeError, match="store down"):
        Coalescer(run).submit("only")


def test_a_group_that_fails_transiently_fails_every_request_in_it_without_retrying_each():
    from shared.errors import TransientError

    calls: list[list[str]] = []
    first_running, release = threading.Event(), threading.Event()

    def run(items):
        calls.append(list(items))
        if items == ["first"]:
            first_running.set()
            assert release.wait(30)
            return
        raise TransientError("store down")

    coalescer, outcomes = Coalescer(run), {}
    threads = [_submit_in_thread(coalescer, "first", outcomes)]
    assert first_running.wait(30)
    threads += [_submit_in_thread(coalescer, item, outcomes) for item in ("x", "y")]
    assert coalescer.wait_queued(2)
    release.set()
    for t in threads:
        t.join(30)
    assert len(calls) == 2 and sorted(calls[1]) == ["x", "y"]
    assert outcomes == {"first": "ok", "x": "TransientError: store down", "y": "TransientError: store down"}
