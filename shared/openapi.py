"""OpenAPI 3.1 descriptions of the HTTP services, served at GET /openapi.json.

The request schemas come from the pydantic models the routes validate with, so the
description cannot drift from what is accepted. Pub/Sub push endpoints document the
envelope, and that any body which is not a usable message is acked with 204 (poison:
logged, counted, never redelivered)."""
from __future__ import annotations

from flask import Flask

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "field": {"type": "string", "description": "the offending field"}}}

PUSH_ENVELOPE = {"type": "object", "required": ["message"], "properties": {
    "message": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "string", "contentEncoding": "base64", "description": "the JSON message, base64"},
        "messageId": {"type": "string"}, "message_id": {"type": "string"},
        "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
        "publishTime": {"type": "string"}}},
    "subscription": {"type": "string"}, "deliveryAttempt": {"type": "integer"}}}

SECURITY = {"bearer": {"type": "http", "scheme": "bearer",
                       "description": "a shared token on the embedded default; a Google OIDC token on Cloud Run"}}


def json_response(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


UNAUTHORIZED = {"401": json_response("missing or wrong credentials", ERROR)}


def push_operation(summary: str, message_schema: dict) -> dict:
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": PUSH_ENVELOPE}}},
        "responses": {
            "204": {"description": "acked: handled, a duplicate, or poison (logged and counted, not retried)"},
            **UNAUTHORIZED,
            "500": {"description": "a transient failure: Pub/Sub redelivers with backoff, then dead-letters"},
        },
        "x-message-schema": message_schema,
    }


AUTHED: dict[str, object] = {"security": [{"bearer": []}]}


def health_paths(deep: str | None = None) -> dict:
    """Liveness is open (the platform's probes); the rest asks for the same credentials as
    the service's own routes (/metrics also takes PIPELINE_METRICS_TOKEN, a scraper's).
    ``deep``: what the service's /health/deep checks, when it has one."""
    paths = {"/health": {"get": {"summary": "liveness", "responses": {"200": json_response("alive")}}},
             "/metrics": {"get": {**AUTHED, "summary": "Prometheus metrics", "responses": {
                 "200": {"description": "text exposition format", "content": {"text/plain": {"schema": {
                     "type": "string"}}}}, **UNAUTHORIZED}}}}
    if deep:
        paths["/health/deep"] = {"get": {**AUTHED, "summary": deep, "responses": {
            "200": json_response("ok or degraded, with each check"), **UNAUTHORIZED}}}
    return paths


def document(title: str, description: str, paths: dict) -> dict:
    return {"openapi": "3.1.0", "info": {"title": title, "version": "1", "description": description},
            "paths": {**paths, "/openapi.json": {"get": {**AUTHED, "summary": "this description", "responses": {
                "200": json_response("OpenAPI 3.1"), **UNAUTHORIZED}}}},
            "components": {"securitySchemes": SECURITY}}


def publish(app: Flask, spec: dict) -> None:
    @app.get("/openapi.json")
    def _openapi():
        return spec
