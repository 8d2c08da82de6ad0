"""A real HTTP server on loopback that records push deliveries and answers with
scripted status codes, so the bus and the Pub/Sub emulator are tested over real HTTP."""
from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections import defaultdict

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class Receiver:
    def __init__(self, script=None):
        # script(payload, attempt_for_this_message) -> status
        self.script = script or (lambda payload, attempt: 204)
        self.deliveries: list[dict] = []
        self.attempts: dict[str, int] = defaultdict(int)
        self._cond = threading.Condition()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()

    def _app(self, environ, start_response):
        request = Request(environ)
        body = json.loads(request.get_data())
        msg = body["message"]
        payload = json.loads(base64.b64decode(msg["data"]))
        with self._cond:
            self.attempts[msg["messageId"]] += 1
            attempt = self.attempts[msg["messageId"]]
            status = self.script(payload, attempt)
            self.deliveries.append({"path": request.path, "message_id": msg["messageId"], "payload": payload,
                                    "attributes": msg.get("attributes") or {}, "status": status})
            self._cond.notify_all()
        return Response(status=status)(environ, start_response)

    def wait_for(self, predicate, timeout: float = 60) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout=timeout)


@contextlib.contextmanager
def serve_bytes(payload: bytes, path: str, content_type: str = "application/json"):
    """A loopback server answering GET ``path`` with ``payload`` (and 404 elsewhere); yields the URL."""
    def app(environ, start_response):
        request = Request(environ)
        found = request.path == path
        return Response(payload if found else b"not found", status=200 if found else 404,
                        content_type=content_type)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
