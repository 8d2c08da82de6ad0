"""Wrong sign-in tokens, counted per client address and over all clients in a sliding
window: past the limit every attempt (the right token too) is refused with 429 and
Retry-After until the oldest counted failure leaves the window.

Per process, in memory: the token form exists only on the embedded default (one process;
on Cloud Run IAP signs people in). There every browser on the machine is 127.0.0.1, so the
per-client and the overall limit both protect the one token."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

PER_CLIENT = 5            # wrong tokens from one address ...
OVERALL = 20              # ... or from every address together ...
WINDOW_S = 300.0          # ... within five minutes
MAX_CLIENTS = 10_000      # addresses remembered at once; the stalest are forgotten first


class SignInThrottle:
    def __init__(self, per_client: int = PER_CLIENT, overall: int = OVERALL, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic):
        self.per_client, self.overall, self.window_s, self.clock = per_client, overall, window_s, clock
        self._clients: dict[str, deque[float]] = {}
        self._all: deque[float] = deque(maxlen=overall)
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or None when it may try now."""
        with self._lock:
            now = self.clock()
            mine = self._wait(self._clients.get(client), self.per_client, now)
            everyone = self._wait(self._all, self.overall, now)
        return max((w for w in (mine, everyone) if w is not None), default=None)

    def failed(self, client: str) -> bool:
        """Count a wrong token; True when this one reached a limit (the moment to log)."""
        with self._lock:
            now = self.clock()
            if client not in self._clients and len(self._clients) >= MAX_CLIENTS:
                del self._clients[min(self._clients, key=lambda c: self._clients[c][-1])]
            mine = self._clients.setdefault(client, deque(maxlen=self.per_client))
            mine.append(now)
            self._all.append(now)
            return any(self._wait(d, limit, now) is not None for d, limit in ((mine, self.per_client),
                                                                             (self._all, self.overall)))

    def succeeded(self, client: str) -> None:
        """The right token: the client's count starts again (the overall count stays)."""
        with self._lock:
            self._clients.pop(client, None)

    def _wait(self, failures: deque[float] | None, limit: int, now: float) -> int | None:
        if failures is None or len(failures) < limit:
            return None
        left = failures[-limit] + self.window_s - now
        return math.ceil(left) if left > 0 else None
