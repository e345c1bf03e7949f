"""Subject access: everything held about an officer, as one document (API.md "Data
protection"), for the officer and admins only, and itself accounted for in the trail."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import Table

from dutyservice.db import Base
from dutyservice.duties.models import Officer
from dutyservice.privacy.holdings import HOLDINGS
from tests.support.builders import Builder


def tables_naming_an_officer() -> set[str]:
    named = set()
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "officers" for fk in column.foreign_keys):
                named.add(table.name)
    return named


def test_every_table_that_names_an_officer_is_a_section_of_the_export() -> None:
    exported = set()
    for holding in HOLDINGS:
        assert isinstance(holding.table, Table)
        exported.add(holding.table.name)
    missing = tables_naming_an_officer() - exported
    assert not missing, f"tables that name an officer but are not exported: {sorted(missing)}"


def test_the_export_holds_a_record_from_every_table_about_the_officer(
    client: FlaskClient, build: Builder, everywhere: Officer
) -> None:
    answer = client.get(f"/api/v1/officers/{everywhere.id}/export", headers=build.headers("admin"))
    assert answer.status_code == 200, answer.get_json()
    document = answer.get_json()
    assert document["officer"]["surname"] == "Okafor"
    assert document["officer"]["email"] == "ngozi@example.police.uk"
    assert document["officer"]["force"] == "cambridgeshire"
    for holding in HOLDINGS:
        assert document[holding.section], f"the export's {holding.section!r} is empty"
        assert all(row["officer_id"] == everywhere.id for row in document[holding.section])


def test_the_export_never_carries_a_secret(
    client: FlaskClient, build: Builder, everywhere: Officer
) -> None:
    client.post(f"/api/v1/officers/{everywhere.id}/calendar-key", headers=build.headers("admin"))
    document = client.get(
        f"/api/v1/officers/{everywhere.id}/export", headers=build.headers("admin")
    ).get_json()
    assert document["officer"]["calendar_key"] == "set"
    text = str(document)
    assert "secret_hash" not in text
    assert "calendar_key_hash" not in text
    assert {row["label"] for row in document["tokens"]} == {"Ngozi's phone"}


def test_an_officer_may_export_their_own_data_and_the_export_is_in_the_trail(
    client: FlaskClient, build: Builder, everywhere: Officer
) -> None:
    own = build.headers("special", officer=everywhere)
    assert client.get(f"/api/v1/officers/{everywhere.id}/export", headers=own).status_code == 200
    trail = client.get(
        f"/api/v1/audit?officer_id={everywhere.id}&per_page=500", headers=build.headers("admin")
    ).get_json()["items"]
    exports = [entry for entry in trail if entry["action"] == "officer.export"]
    assert len(exports) == 1
    assert exports[0]["role"] == "special"


def test_nobody_else_may_export_an_officer_s_data(
    client: FlaskClient, build: Builder, everywhere: Officer
) -> None:
    other = build.officer()
    path = f"/api/v1/officers/{everywhere.id}/export"
    assert client.get(path, headers=build.headers("special", officer=other)).status_code == 404
    for role in ("supervisor", "authoriser"):
        answer = client.get(path, headers=build.headers(role))
        assert answer.status_code == 403
        assert answer.content_type == "application/problem+json"
    assert client.get(path, headers=build.headers("supervisor", "essex")).status_code == 404
    assert (
        client.get(path, headers=build.headers("npocc")).status_code == 404
    )  # no officer is visible to it
    assert client.get(path).status_code == 401
