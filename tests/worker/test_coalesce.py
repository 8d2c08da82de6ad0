"""Requests that arrive while a group runs go together as the next group; a group that fails
is retried request by request so only the bad request fails, unless it failed transiently."""
from __future__ import annotations

import threading

import pytest

from shared.errors import TransientError
from worker.coalesce import Coalescer


def _behind_a_running_group(fails, items: tuple[str, ...]) -> tuple[list[list[str]], dict]:
    """Submit "first" and hold its group running while ``items`` queue behind it, then let it
    finish. ``fails(items)`` raises for a group that should fail. Returns every group run, in
    order, and each item's outcome."""
    calls: list[list[str]] = []
    first_running, release = threading.Event(), threading.Event()

    def run(group):
        calls.append(sorted(group))
        if group == ["first"]:
            first_running.set()
            assert release.wait(30)
            return
        fails(group)

    coalescer, outcomes = Coalescer(run), {}

    def submit(item):
        try:
            coalescer.submit(item)
            outcomes[item] = "ok"
        except Exception as exc:
            outcomes[item] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=submit, args=("first",))]
    threads[0].start()
    assert first_running.wait(30)
    threads += [threading.Thread(target=submit, args=(item,)) for item in items]
    for t in threads[1:]:
        t.start()
    assert coalescer.wait_queued(len(items))
    release.set()
    for t in threads:
        t.join(30)
    return calls, outcomes


def test_requests_arriving_during_a_group_run_together_as_the_next_group():
    calls, outcomes = _behind_a_running_group(lambda group: None, ("b", "c", "d"))
    assert calls == [["first"], ["b", "c", "d"]]
    assert outcomes == {"first": "ok", "b": "ok", "c": "ok", "d": "ok"}


def test_a_failing_group_is_retried_one_by_one_and_only_the_bad_item_fails():
    def fails(group):
        if "bad" in group:
            raise ValueError("bad request")

    calls, outcomes = _behind_a_running_group(fails, ("x", "bad", "y"))
    assert calls[1] == ["bad", "x", "y"] and sorted(calls[2:]) == [["bad"], ["x"], ["y"]]
    assert outcomes == {"first": "ok", "x": "ok", "y": "ok", "bad": "ValueError: bad request"}


def test_a_group_that_fails_transiently_fails_every_request_in_it_without_retrying_each():
    def fails(group):
        raise TransientError("store down")

    calls, outcomes = _behind_a_running_group(fails, ("x", "y"))
    assert calls == [["first"], ["x", "y"]]
    assert outcomes == {"first": "ok", "x": "TransientError: store down", "y": "TransientError: store down"}


def test_a_lone_request_raises_what_its_run_raised():
    def run(items):
        raise RuntimeError("store down")

    with pytest.raises(RuntimeError, match="store down"):
        Coalescer(run).submit("only")
