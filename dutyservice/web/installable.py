"""The pages as an installable app: its web app manifest, and a service worker that keeps the
Special's own page for reading offline."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, render_template, url_for

from .blueprint import bp

STATIC = Path(__file__).resolve().parent / "static"
NAME = "Special Constabulary duties"
THEME = "#0b3d5c"
# The push handler, where one is installed beside the pages (API.md "Push to phones").
PUSH_HANDLER = "push-sw.js"


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    icons = [
        {
            "src": url_for("web.static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 512)
    ]
    body = {
        "name": NAME,
        "short_name": "Duties",
        "description": "Your duties, hours and Independent Patrol Status.",
        "start_url": url_for("web.home"),
        "scope": url_for("web.home"),
        "id": url_for("web.home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "lang": "en-GB",
        "icons": icons,
    }
    return Response(json.dumps(body, indent=2), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker() -> Response:
    """Network first; a page of the Special's own kept for reading when there is none."""
    script = render_template(
        "web/sw.js",
        push_handler=(
            url_for("web.static", filename=PUSH_HANDLER)
            if (STATIC / PUSH_HANDLER).exists()
            else None
        ),
        shell=[
            url_for("web.static", filename=name)
            for name in (
                "govuk/govuk-frontend.min.css",
                "govuk/govuk-frontend.min.js",
                "style.css",
                "app.js",
                "icons/icon-192.png",
            )
        ],
    )
    return Response(
        script,
        mimetype="text/javascript",
        headers={"Service-Worker-Allowed": url_for("web.home"), "Cache-Control": "no-cache"},
    )
