"""Browsable API docs rendered on the server from the OpenAPI document: no scripts, no CDN."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

blp = Blueprint("docs", __name__, template_folder="templates")
METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(node: dict[str, Any] | None) -> str:
    if not node:
        return ""
    schema = node.get("schema", node)
    ref: str = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1]


@blp.get("/api/v1/docs")
def docs() -> str:
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operations: dict[str, list[dict[str, Any]]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            operations.setdefault((op.get("tags") or ["other"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [p for p in op.get("parameters", []) if "name" in p],
                    "body": _schema_name(body),
                    "responses": {
                        code: _schema_name(r.get("content", {}).get("application/json"))
                        for code, r in op.get("responses", {}).items()
                    },
                }
            )
    tags = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "docs.html", spec=spec, operations=operations, tags=tags, schemas=schemas
    )
