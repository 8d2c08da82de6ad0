"""A stand-in coordinator over real HTTP: records POST /start calls, answers as scripted."""
from __future__ import annotations

import json
import threading

from werkzeug.wrappers import Request, Response

from devsupport.loopback import LoopbackServer


class FakeCoordinator(LoopbackServer):
    def __init__(self, statuses=None):
        self.statuses = list(statuses or [])   # consumed per call; 202 when exhausted
        self.calls: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()
        super().__init__()
        self.started = threading.Event()

    def _app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            body = json.loads(request.get_data() or b"{}")
            self.calls.append(body)
            self.headers.append(dict(request.headers))
            status = self.statuses.pop(0) if self.statuses else 202
        if status < 300:
            self.started.set()
        payload = {"batch_id": f"batch-{body.get('game_date')}", "expected": 10} if status < 300 else {"error": "x"}
        return Response(json.dumps(payload), status=status, mimetype="application/json")(environ, start_response)
