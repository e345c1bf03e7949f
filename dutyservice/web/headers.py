"""The headers every answer under /app/ carries, set here and nowhere else.

The policy allows scripts, styles, the web app manifest and a service worker from this site
only, never inline; no page may be framed (the one-click buttons could be clicked through
another site's frame), and forms post only to this site.
"""

from __future__ import annotations

from flask import Flask, Response, request

PAGES_PREFIX = "/app/"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    )
)
HARDENING = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}
# A year: browsers keep to https for this host once they have seen it over https.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
# The stylesheet and scripts may be cached; every page is personal or carries a form's token.
CACHEABLE_ENDPOINTS = {"web.static"}


def init_headers(app: Flask) -> None:
    app.after_request(_harden)


def _harden(response: Response) -> Response:
    if not (request.path.startswith(PAGES_PREFIX) or request.path == PAGES_PREFIX.rstrip("/")):
        return response
    response.headers.update(HARDENING)
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return response
