"""A crash answers JSON without the exception's text (it goes to the log); Flask's own
refusals keep their status and headers."""
from __future__ import annotations

import logging

from flask import Flask

from shared import http_errors


def test_a_crash_is_a_json_500_without_internal_text_and_is_logged(caplog):
    app = Flask("t")
    http_errors.install(app)

    @app.get("/boom")
    def boom():
        raise RuntimeError("/srv/objects/batches/secret.json exploded")

    with caplog.at_level(logging.ERROR, logger="shared.http_errors"):
        resp = app.test_client().get("/boom")
    assert resp.status_code == 500 and resp.is_json
    assert "secret" not in resp.get_data(as_text=True)
    assert any("secret.json" in r.exc_text for r in caplog.records if r.exc_text)
    refused = app.test_client().post("/boom")
    assert refused.status_code == 405 and refused.json == {"error": "405 Method Not Allowed"}
    assert "GET" in refused.headers["Allow"]
