"""Schemathesis against the served OpenAPI document, in-process: no input makes a 5xx, and every
response matches the document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ..support.builders import Builder

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation and database: bounded so that CI stays fast


@pytest.mark.ci  # about half a minute of the processor's time per database (docs/testing.md)
def test_no_generated_request_breaks_the_service_or_the_document(
    app: Flask, build: Builder
) -> None:
    for code in ("cambridgeshire", "norfolk"):  # something to find
        officer = build.ips_officer(code, since=date(2025, 1, 6))
        build.duty(officer, datetime(2025, 12, 1, 18, tzinfo=UTC))
    admin = build.headers("admin")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    results = list(schema.get_all_operations())
    unreadable = [result.err() for result in results if isinstance(result, Err)]
    assert unreadable == [], "the document describes every operation readably"
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    sent: dict[str, int] = {}

    def runner(operation: Any) -> Callable[[], None]:
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=admin, checks=CHECKS)
            sent[operation.label] = sent.get(operation.label, 0) + 1

        return run

    for operation in operations:
        runner(operation)()
    assert len(operations) >= 45
    assert sum(sent.values()) >= 5 * len(operations)
    print(f"\nschemathesis: {sum(sent.values())} requests over {len(operations)} operations")
