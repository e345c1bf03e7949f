"""Where the API's operations are: its base path, its parts, and the ids in its URLs."""

from __future__ import annotations

from flask_smorest import Blueprint

from .formats import MAX_ID

API_BASE = "/api/v1"


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """One part of the API: its operations below `/api/v1<path>`, tagged `name` in the
    document and described there by `description`."""
    return Blueprint(name, __name__, url_prefix=API_BASE + path, description=description)


def id_rule(name: str) -> str:
    """The part of a URL rule that takes a service-assigned id, bound to the view's `name`."""
    return f"<int(max={MAX_ID}):{name}>"
