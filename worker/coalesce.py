"""Requests that arrive together are predicted together. A push is handled on its own
thread; while one group is being predicted, the requests that arrive queue up and go as
the next group, so concurrent requests share each model call and one staging object
instead of paying for them one by one (a model's call on one row costs about as much as
on thirty). Each request still answers for itself: it returns when its group is staged
and reported. A group that fails is retried request by request, so one bad request never
fails its neighbours, unless it failed transiently (a store, the bus): then every request
in it is answered 500 and redelivered, rather than hitting what is down once per request."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

from shared.errors import TransientError

T = TypeVar("T")


class Coalescer(Generic[T]):
    def __init__(self, run: Callable[[list[T]], None], max_group: int = 256):
        self._run = run
        self.max_group = max_group
        self._pending: list[tuple[T, Future]] = []
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)
        self._leading = threading.Lock()

    def submit(self, item: T) -> None:
        """Run ``item`` (in a group with whatever else is waiting); raises what running it raised."""
        done: Future = Future()
        with self._lock:
            self._pending.append((item, done))
            self._queued.notify_all()
        while not done.done():
            # whoever leads runs everything queued so far, possibly including ours
            with self._leading:
                if not done.done():
                    with self._lock:
                        group, self._pending = self._pending[:self.max_group], self._pending[self.max_group:]
                    self._lead(group)
        done.result()

    def wait_queued(self, n: int, timeout: float = 30) -> bool:
        """Until ``n`` items wait for the next group (tests synchronise on it)."""
        with self._lock:
            return self._queued.wait_for(lambda: len(self._pending) >= n, timeout)

    def _lead(self, group: list[tuple[T, Future]]) -> None:
        try:
            self._run([item for item, _ in group])
        except BaseException as exc:
            if len(group) == 1 or isinstance(exc, TransientError):
                for _, fut in group:
                    fut.set_exception(exc)
                return
            for item, fut in group:
                try:
                    self._run([item])
                except BaseException as alone:
                    fut.set_exception(alone)
                else:
                    fut.set_result(None)
            return
        for _, fut in group:
            fut.set_result(None)
