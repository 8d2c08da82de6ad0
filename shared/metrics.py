"""Prometheus metrics for the HTTP services: one registry per app (so tests and the
embedded stack can host several), request counts and latency per endpoint and status,
and the domain metrics the alert rules and dashboard in monitoring/ use."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

SKIP_REASONS = ("no_features", "other")
PUSH_OUTCOMES = ("ok", "poison", "permanent", "transient")   # see shared.pubsub.handle_push
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ServiceMetrics:
    def __init__(self, service: str):
        self.service = service
        r = self.registry = CollectorRegistry()
        self.requests = Counter("pipeline_http_requests_total", "HTTP requests", ["service", "endpoint", "status"],
                                registry=r)
        self.latency = Histogram("pipeline_http_request_duration_seconds", "HTTP request latency",
                                 ["service", "endpoint"], buckets=LATENCY_BUCKETS, registry=r)
        self.predictions = Counter("pipeline_predictions_total", "prediction rows written",
                                   ["system", "model_source", "prop"], registry=r)
        self.skips = Counter("pipeline_prediction_skips_total", "players skipped", ["reason"], registry=r)
        for reason in SKIP_REASONS:   # exported at zero, so rates and panels exist before the first skip
            self.skips.labels(reason)
        self.batch_duration = Histogram("pipeline_batch_duration_seconds", "start to consolidation",
                                        buckets=(5, 15, 30, 60, 120, 300, 600, 1800, 3600), registry=r)
        self.batch_missing = Gauge("pipeline_batch_players_missing", "players missing from the last finalised batch",
                                   registry=r)
        self.batch_coverage = Gauge("pipeline_batch_coverage_ratio", "completed / expected, last finalised batch",
                                    registry=r)
        self.batches = Counter("pipeline_batches_finalised_total", "batches finalised", ["degraded"], registry=r)
        self.push = Counter("pipeline_push_messages_total", "Pub/Sub push deliveries by outcome",
                            ["service", "outcome"], registry=r)
        for outcome in PUSH_OUTCOMES:
            self.push.labels(service, outcome)
        self.staging_swept = Counter("pipeline_staging_objects_swept_total",
                                     "staged objects of finished or unknown batches deleted by the stall check",
                                     registry=r)

    def count_push(self, outcome: str) -> None:
        self.push.labels(self.service, outcome).inc()

    def collect_with(self, produce: Callable[[], Iterable]) -> None:
        """Add metrics computed at scrape time (model provenance, rolling accuracy)."""
        class _Scrape:
            def collect(self_inner):
                yield from produce()
        self.registry.register(_Scrape())

    def instrument(self, app: Flask) -> None:
        @app.before_request
        def _start():
            g._metrics_started = time.perf_counter()

        @app.after_request
        def _observe(response):
            endpoint = request.url_rule.rule if request.url_rule else "unmatched"
            self.requests.labels(self.service, endpoint, str(response.status_code)).inc()
            self.latency.labels(self.service, endpoint).observe(time.perf_counter() - g.get("_metrics_started",
                                                                                            time.perf_counter()))
            return response

        @app.get("/metrics")
        def _metrics():
            return Response(generate_latest(self.registry), mimetype=CONTENT_TYPE_LATEST)


def gauge(name: str, doc: str, labels: list[str], samples: Iterable[tuple[list[str], float]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for values, value in samples:
        family.add_metric(values, value)
    return family
