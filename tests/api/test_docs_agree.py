"""docs/api.md and what the service serves agree: every documented endpoint is served and in
the OpenAPI document, and every served one is documented."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

DOCS = Path(__file__).resolve().parents[2] / "docs"
ENDPOINT = re.compile(r"^#### `(GET|POST|PUT|PATCH|DELETE) (/\S*)`$", re.MULTILINE)
CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <int(max=...):officer_id> -> {officer_id}
# Served outside the OpenAPI document: the document itself, its pages, the probes and metrics.
NOT_IN_OPENAPI = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/docs"),
    ("GET", "/api/v1/docs/assets/{name}"),
}
PAGES = "/app/"  # the web pages: docs/pages.md
ROOT = "/"  # a redirect to the pages: docs/pages.md


def documented() -> set[tuple[str, str]]:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    return {(method, path) for method, path in ENDPOINT.findall(text)}


def served(app: Flask) -> set[tuple[str, str]]:
    """The API's endpoints (the pages under /app/ are docs/pages.md's)."""
    return {
        (method, CONVERTER.sub(r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
        and not rule.rule.startswith(PAGES)
        and rule.rule != ROOT
    }


def test_every_page_a_person_opens_is_in_docs_pages_md(app: Flask) -> None:
    text = (DOCS / "pages.md").read_text(encoding="utf-8")
    pages = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PAGES)
        and "GET" in (rule.methods or ())
        and "<" not in rule.rule
        and rule.endpoint not in ("web.static", "web.deployable_csv")
    }
    assert len(pages) >= 5
    assert {page for page in pages if f"`{page}" not in text} == set()


def in_openapi(client: FlaskClient) -> set[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").get_json()
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_documented_endpoint_is_served_and_every_served_one_is_documented(
    app: Flask,
) -> None:
    docs = documented()
    assert len(docs) > 40  # the headings were found
    assert docs - served(app) == set(), "documented in docs/api.md but not served"
    assert served(app) - docs == set(), "served but missing from docs/api.md"


def test_docs_and_the_openapi_document_name_the_same_endpoints(client: FlaskClient) -> None:
    assert documented() - NOT_IN_OPENAPI == in_openapi(client)


def test_the_docs_link_only_to_pages_that_exist() -> None:
    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)", page.read_text(encoding="utf-8")):
            assert (DOCS / target).is_file(), f"{page.name} links to a missing {target}"
