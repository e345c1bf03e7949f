"""The same history as an import set, entered through the HTTP API as a supervisor would."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from dutyservice.clock import LONDON


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _instant(text: str) -> str:
    """An RFC 3339 instant; the set's wall-clock times are all unambiguous London times."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON)
    return parsed.isoformat()


def _post(client: FlaskClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/api/v1{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), (path, body, response.get_json())
    return response.get_json()


def enter_through_api(
    client: FlaskClient, headers: dict[str, str], directory: Path, force: str
) -> None:
    ids: dict[str, int] = {}
    for row in _rows(directory, "officers.csv"):
        body = {k: row[k] for k in ("warrant_number", "surname", "forenames", "rank")}
        body |= {
            "force": force,
            "base_location": row["base_location"],
            "joined_on": row["joined_on"],
        }
        ids[row["warrant_number"]] = _post(client, headers, "/officers", body)["id"]
    for row in _rows(directory, "competencies.csv"):
        officer = ids[row["warrant_number"]]
        _post(
            client,
            headers,
            f"/officers/{officer}/competencies",
            {k: row[k] for k in ("unit", "attained_on", "assessed_by", "evidence_ref")},
        )
        if row["revoked_on"]:
            _post(
                client,
                headers,
                f"/officers/{officer}/competencies/{row['unit']}/revoke",
                {"revoked_on": row["revoked_on"], "reason": "reassessment due"},
            )
    for row in _rows(directory, "training.csv"):
        body = {"kind": row["kind"], "completed_on": row["completed_on"]}
        if row["expires_on"]:
            body["expires_on"] = row["expires_on"]
        _post(client, headers, f"/officers/{ids[row['warrant_number']]}/training", body)
    for row in _rows(directory, "ips_grants.csv"):
        officer = ids[row["warrant_number"]]
        authorised_by = {
            "name": row["authorised_by_name"],
            "rank": row["authorised_by_rank"],
            "position": row["authorised_by_position"],
        }
        _post(
            client,
            headers,
            f"/officers/{officer}/ips",
            {"granted_on": row["granted_on"], "authorised_by": authorised_by},
        )
        if row["withdrawn_on"]:
            _post(
                client,
                headers,
                f"/officers/{officer}/ips/withdraw",
                {"withdrawn_on": row["withdrawn_on"], "reason": row["withdrawal_reason"]},
            )
    for row in _rows(directory, "duties.csv"):
        duty = _post(
            client,
            headers,
            "/duties",
            {
                "officer_id": ids[row["warrant_number"]],
                "starts_at": _instant(row["starts_at"]),
                "ends_at": _instant(row["ends_at"]),
                "duty_type": row["duty_type"],
                "location": row["location"],
            },
        )
        if row["status"] == "completed":
            actual = {}
            if row["actual_starts_at"]:
                actual = {
                    "actual_starts_at": _instant(row["actual_starts_at"]),
                    "actual_ends_at": _instant(row["actual_ends_at"]),
                }
            _post(client, headers, f"/duties/{duty['id']}/complete", actual)
        elif row["status"] == "cancelled":
            _post(client, headers, f"/duties/{duty['id']}/cancel", {})
    for row in _rows(directory, "officers.csv"):
        if row["left_on"]:
            _post(
                client,
                headers,
                f"/officers/{ids[row['warrant_number']]}/leave",
                {"left_on": row["left_on"]},
            )
