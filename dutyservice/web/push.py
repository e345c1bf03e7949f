"""`/app/sw.js`, the service worker of the pages, where the pages have none of their own yet:
it imports the push handlers (static/push-sw.js) and nothing else."""

from __future__ import annotations

from flask import Flask, Response

WORKER_URL = "/app/sw.js"
WORKER = "importScripts('/app/static/push-sw.js');\n"


def serve_worker_unless_served(app: Flask) -> None:
    """Add `/app/sw.js` unless a route already answers it. Served from /app/ so that its scope
    is every page; open without a session, as browsers fetch it on their own."""
    if any(rule.rule == WORKER_URL for rule in app.url_map.iter_rules()):
        return
    app.add_url_rule(WORKER_URL, "push_service_worker", _worker)


def _worker() -> Response:
    return Response(
        WORKER,
        mimetype="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )
