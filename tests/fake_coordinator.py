"""A stand-in coordinator over real HTTP: records POST /start calls, answers as scripted."""
from __future__ import annotations

import json
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeCoordinator:
    def __init__(self, statuses=None):
        self.statuses = list(statuses or [])   # consumed per call; 202 when exhausted
        self.calls: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.started = threading.Event()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()

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
