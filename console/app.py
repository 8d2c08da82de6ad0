"""The console service: the read API (/v1) and the operator pages on one Flask app, behind
one auth rule (console/session.py) and headers that keep the pages to their own assets."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask.json.provider import DefaultJSONProvider

from console import api, pages, session
from console import deps as console_deps
from console.deps import ConsoleDeps
from console.session_store import SessionStore
from shared import http_errors, openapi
from shared.logging import traced

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class InOrder(DefaultJSONProvider):
    sort_keys = False   # the leading columns first, as the CSV export has them


def create_app(deps: ConsoleDeps, access: session.Access, project: str | None = None) -> Flask:
    app = Flask("console", template_folder="templates", static_folder="static")
    http_errors.install(app)
    deps.metrics.instrument(app)
    traced(app, project)
    app.json = InOrder(app)
    console_deps.install(app, deps)
    session.install(app, access, SessionStore(deps.store))
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(404)
    def _missing(exc):
        if request.path.startswith(session.API_PREFIXES):
            return {"error": "404 Not Found"}, 404
        return render_template("error.html", title="Not found", message=f"no page at {request.path}"), 404

    @app.get("/health")
    def health():
        return {"status": "ok"}

    openapi.publish(app, SPEC)
    return app


SPEC = openapi.document("console", "The read API (predictions, players, accuracy, a real-time prediction) beside the "
                        "operator console's pages (HTML, not described here).",
                        {**api.SPEC_PATHS, **openapi.health_paths()})
