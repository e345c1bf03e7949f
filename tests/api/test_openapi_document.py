"""The served OpenAPI document: every operation named for what it does, every field and
parameter described, every date bounded; the docs page served from local files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, cast

from flask import Flask
from flask.testing import FlaskClient

METHODS = ("get", "post", "put", "patch", "delete")


def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return cast(dict[str, Any], response.get_json())


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, item[method])
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]


def test_every_operation_has_an_operation_id_that_reads_as_what_it_does(
    client: FlaskClient,
) -> None:
    spec = document(client)
    ids = {f"{m.upper()} {p}": op.get("operationId", "") for m, p, op in operations(spec)}
    unnamed = sorted(where for where, name in ids.items() if not name)
    assert unnamed == []
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", name) for name in ids.values()), ids
    assert len(set(ids.values())) == len(ids)
    assert ids["POST /api/v1/duties"] == "book_duty"
    assert ids["GET /api/v1/deployable"] == "list_deployable"


def test_every_operation_parameter_and_field_is_described(client: FlaskClient) -> None:
    spec = document(client)
    undescribed = []
    for method, path, op in operations(spec):
        if not (op.get("summary") or op.get("description")):
            undescribed.append(f"operation {method.upper()} {path}")
        parameters = op.get("parameters", []) + spec["paths"][path].get("parameters", [])
        for parameter in parameters:
            if not parameter.get("description"):
                undescribed.append(f"parameter {parameter['name']} of {method.upper()} {path}")
    for name, schema in spec["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if not prop.get("description"):
                undescribed.append(f"field {name}.{field}")
    assert undescribed == []


def test_every_date_month_and_quarter_declares_the_years_1900_to_2200(
    client: FlaskClient,
) -> None:
    spec = document(client)
    unbounded = []
    schemas = spec["components"]["schemas"]

    def visit(where: str, node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[-1]
                visit(f"{where}>{name}", schemas[name])
            dated = node.get("format") in ("date", "date-time")
            named = where.rsplit(".", 1)[-1] in ("from", "to", "month", "quarter")
            bounded = "1900" in str(node.get("pattern", "")).replace("19[0-9]{2}", "1900")
            # Output-only dates (read from the database) need no pattern: only inputs.
            is_input = where.startswith("in:")
            if (dated or (named and node.get("type") == "string")) and not bounded and is_input:
                unbounded.append(where)
            for key, value in node.items():
                visit(f"{where}.{key}", value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(f"{where}.{index}", value)

    for method, path, op in operations(spec):
        for parameter in op.get("parameters", []):
            visit(f"in:{method} {path} {parameter['name']}", parameter["schema"])
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref", "")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            visit(f"in:{name}", spec["components"]["schemas"][name])
    assert unbounded == []


def test_the_422_problem_documents_its_missing_member(client: FlaskClient) -> None:
    problem = document(client)["components"]["schemas"]["Problem"]
    assert problem["additionalProperties"] is False
    assert problem["properties"]["missing"]["type"] == "array"
    assert "granted_on" in problem["properties"]["missing"]["description"]


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_the_docs_page_is_swagger_ui_served_from_the_service_itself(
    client: FlaskClient,
) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.get_data(as_text=True)
    assets = _Assets()
    assets.feed(page.get_data(as_text=True))
    assert len(assets.urls) >= 3
    for url in assets.urls:
        assert url.startswith("/api/v1/docs/assets/"), url
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert len(response.data) > 1000, url
    # No online validator: Swagger UI would otherwise send the document away.
    assert '"validatorUrl": null' in page.get_data(as_text=True)


def test_the_document_names_the_service_at_its_base_url_never_the_requests_host(
    app: Flask,
) -> None:
    from dutyservice import create_app

    settings = app.extensions["dutyservice"].settings.replace(
        base_url="https://specials.force.example"
    )
    deployed = create_app(settings)
    try:
        document = deployed.test_client().get(
            "/api/v1/openapi.json", headers={"Host": "evil.example"}
        )
        assert document.get_json()["servers"][0]["url"] == "https://specials.force.example/"
    finally:
        deployed.extensions["dutyservice"].db.dispose()
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert served["servers"][0]["url"] == "/"  # no base URL: relative to wherever it is read
