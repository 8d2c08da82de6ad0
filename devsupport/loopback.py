"""A WSGI app served on a free loopback port in a background thread, for recorded sources
and stand-in services in tests and benchmarks. Use as a context manager."""
from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class _Quiet(WSGIRequestHandler):
    """No line per request (a benchmark's figures would drown in them); errors still log."""

    def log_request(self, code="-", size="-") -> None:
        pass


class LoopbackServer:
    def __init__(self, app=None):
        self._server = make_server("127.0.0.1", 0, app or self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _app(self, environ, start_response):
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
