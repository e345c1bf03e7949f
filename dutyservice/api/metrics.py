"""`GET /metrics`: Prometheus text for the admin role (API.md "Metrics").

Under gunicorn every worker is its own process, so counters live in prometheus-client's
multiprocess files (the directory `dutyservice serve` makes fresh at start) and a scrape adds
them up: the same answer whichever worker is asked. Gauges of stored state are read from the
database at scrape time, a grouped count each. Labels are endpoint names, never paths, and
nothing personal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from http import HTTPStatus

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
from ..clock import utc_now
from ..db import Database
from ..jobruns import last_successes
from ..notify.counts import outbox_state
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

# The contract's paths (stable, unlike view names) of the writes counted on their own, as
# route templates (`route_template`: converters left out).
_DOMAIN_WRITES = {
    ("POST", "/api/v1/duties"): ("booking", BOOKINGS),
    ("POST", "/api/v1/events/{event_id}/signups"): ("signup", SIGNUPS),
}
# The refusals' series exist at 0 from the start, not from the first refusal: what the alerts
# and the dashboard read is there in every process.
for _action, _ in _DOMAIN_WRITES.values():
    for _status in ("409", "422"):
        REFUSALS.labels(_action, _status)

# Label values come from known sets only: a client chooses its method and path, and every new
# value would be a new series kept until restart (anything else is `other`).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
KNOWN_STATUSES = frozenset(str(status.value) for status in HTTPStatus)
OTHER = "other"
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def route_template(rule: str) -> str:
    """`/api/v1/events/<int(max=2147483647):event_id>/signups` as
    `/api/v1/events/{event_id}/signups`: the path as the OpenAPI document names it."""
    return _CONVERTER.sub(r"{\1}", rule)


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else OTHER


def observe(method: str, status: int, seconds: float) -> None:
    """Count one answered request; called once per request, after the view."""
    rule = request.url_rule
    endpoint = rule.endpoint if rule is not None else "unmatched"  # the app's own names
    method = method_label(method)
    REQUESTS.labels(endpoint, method, str(status) if str(status) in KNOWN_STATUSES else OTHER).inc()
    LATENCY.labels(endpoint, method).observe(seconds)
    template = route_template(rule.rule) if rule is not None else None
    write = _DOMAIN_WRITES.get((method, template)) if template is not None else None
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
        yield from _outbox(self._db)
        yield from _scheduler(self._db)


def _outbox(db: Database) -> Iterator[GaugeMetricFamily]:
    state = outbox_state(db)
    messages = GaugeMetricFamily(
        "dutyservice_outbox_messages",
        "Messages in the outbox: queued (waiting to be sent) and failed (given up on)",
        labels=["status"],
    )
    messages.add_metric(["queued"], state.queued)
    messages.add_metric(["failed"], state.failed)
    yield messages
    oldest = GaugeMetricFamily(
        "dutyservice_outbox_oldest_queued_age_seconds",
        "How long the oldest queued message has waited (0 when none waits)",
    )
    waited = (utc_now() - state.oldest_queued_at).total_seconds() if state.oldest_queued_at else 0
    oldest.add_metric([], max(waited, 0.0))
    yield oldest


def _scheduler(db: Database) -> Iterator[GaugeMetricFamily]:
    last = GaugeMetricFamily(
        "dutyservice_scheduler_last_success_timestamp_seconds",
        "When each of the scheduler's jobs last succeeded (Unix time)",
        labels=["scheduler_job"],
    )
    for job_id, at in sorted(last_successes(db).items()):
        last.add_metric([job_id], at.timestamp())
    yield last


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
