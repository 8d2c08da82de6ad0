"""A real HTTP server on loopback that records push deliveries and answers with
scripted status codes, so the bus and the Pub/Sub emulator are tested over real HTTP."""
from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections import defaultdict

from werkzeug.wrappers import Request, Response

from devsupport.loopback import LoopbackServer


class Receiver(LoopbackServer):
    def __init__(self, script=None):
        # script(payload, attempt_for_this_message) -> status
        self.script = script or (lambda payload, attempt: 204)
        self.deliveries: list[dict] = []
        self.attempts: dict[str, int] = defaultdict(int)
        self._cond = threading.Condition()
        super().__init__()

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

    with LoopbackServer(app) as server:
        yield f"{server.url}{path}"
