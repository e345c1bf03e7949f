"""`GET /metrics`: Prometheus text for the admin role (API.md "Metrics").

Under gunicorn every worker is its own process, so counters live in prometheus-client's
multiprocess files (the directory `dutyservice serve` makes fresh at start) and a scrape adds
them up: the same answer whichever worker is asked. Gauges of stored state are read from the
database at scrape time, a grouped count each. Labels are endpoint names, never paths, and
nothing personal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from flask import Blueprint, Response, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..auth.scope import Permission
from ..db import Database
from ..npocc.counts import returns_by_status
from .common import database, principal
from .problems import problem

blp = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "dutyservice_http_requests",
    "HTTP requests answered, by endpoint name, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "dutyservice_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint name and method",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BOOKINGS = Counter("dutyservice_bookings", "Duties booked through the API")
SIGNUPS = Counter("dutyservice_signups", "Event sign-ups accepted")
REFUSALS = Counter(
    "dutyservice_refusals",
    "Bookings and sign-ups refused, by what was asked and the answer's status",
    ["action", "status"],
)

# The contract's paths (stable, unlike view names) of the writes counted on their own.
_DOMAIN_WRITES = {
    ("POST", "/api/v1/duties"): ("booking", BOOKINGS),
    ("POST", "/api/v1/events/<int:event_id>/signups"): ("signup", SIGNUPS),
}


def observe(method: str, status: int, seconds: float) -> None:
    """Count one answered request; called once per request, after the view."""
    rule = request.url_rule
    endpoint = rule.endpoint if rule is not None else "unmatched"
    REQUESTS.labels(endpoint, method, str(status)).inc()
    LATENCY.labels(endpoint, method).observe(seconds)
    write = _DOMAIN_WRITES.get((method, rule.rule)) if rule is not None else None
    if write is None:
        return
    action, accepted = write
    if 200 <= status < 300:
        accepted.inc()
    elif status in (409, 422):
        REFUSALS.labels(action, str(status)).inc()


class _StoredState(Collector):
    """Gauges read from the database when scraped: the same from every process."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        returns = GaugeMetricFamily(
            "dutyservice_npocc_returns",
            "NPoCC returns made (every revision), by delivery status",
            labels=["status"],
        )
        counts = returns_by_status(self._db)
        for status, count in counts.items():
            returns.add_metric([status], count)
        yield returns
        pending = GaugeMetricFamily(
            "dutyservice_npocc_returns_pending_delivery", "Returns made and not yet delivered"
        )
        pending.add_metric([], counts["pending"])
        yield pending


class _ThisProcess(Collector):
    """Outside gunicorn (tests, one process): the default registry's metrics."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _registry(db: Database) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
    else:
        registry.register(_ThisProcess())
    registry.register(_StoredState(db))
    return registry


@blp.get("/metrics")
def metrics() -> Response:
    if not principal().may(Permission.READ_METRICS):
        return problem(403, "Forbidden", "the metrics are for the admin role")
    return Response(generate_latest(_registry(database())), content_type=CONTENT_TYPE_LATEST)
