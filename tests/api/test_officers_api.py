from datetime import date

from flask.testing import FlaskClient

from ..support.builders import Builder

NEW = {
    "force": "cambridgeshire",
    "warrant_number": "SC9001",
    "surname": "Okafor",
    "forenames": "Grace",
    "rank": "SC",
    "base_location": "Parkside",
    "joined_on": "2024-03-01",
}


def test_supervisor_creates_an_officer_and_reads_it_back(
    client: FlaskClient, build: Builder
) -> None:
    headers = build.headers("supervisor")
    created = client.post("/api/v1/officers", json=NEW, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["officer_ref"] == "cambridgeshire-SC9001"
    assert body["left_on"] is None
    read = client.get(f"/api/v1/officers/{body['id']}", headers=headers)
    assert read.get_json() == body
    assert read.headers["ETag"] == '"1"'


def test_warrant_number_is_unique_within_a_force_but_not_across_forces(
    client: FlaskClient, build: Builder
) -> None:
    assert (
        client.post("/api/v1/officers", json=NEW, headers=build.headers("admin")).status_code == 201
    )
    again = client.post("/api/v1/officers", json=NEW, headers=build.headers("admin"))
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    elsewhere = {**NEW, "force": "norfolk"}
    assert (
        client.post("/api/v1/officers", json=elsewhere, headers=build.headers("admin")).status_code
        == 201
    )


def test_unknown_rank_force_and_fields_are_refused_with_field_errors(
    client: FlaskClient, build: Builder
) -> None:
    headers = build.headers("supervisor")
    response = client.post(
        "/api/v1/officers", json={**NEW, "rank": "PC", "nickname": "G"}, headers=headers
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"rank", "nickname"}
    response = client.post("/api/v1/officers", json={**NEW, "force": "atlantis"}, headers=headers)
    assert response.status_code == 422
    assert "force" in response.get_json()["errors"]
    assert client.get("/api/v1/officers", headers=headers).get_json()["total"] == 0


def test_listing_paginates_and_searches(client: FlaskClient, build: Builder) -> None:
    for i in range(7):
        build.officer(surname=f"Name{i}", warrant_number=f"P{i}")
    build.officer(surname="Zebedee", warrant_number="Z1")
    headers = build.headers("planner")
    page = client.get("/api/v1/officers?per_page=3&page=3", headers=headers).get_json()
    assert (page["page"], page["per_page"], page["total"]) == (3, 3, 8)
    assert [o["surname"] for o in page["items"]] == ["Name6", "Zebedee"]
    found = client.get("/api/v1/officers?q=zebe", headers=headers).get_json()
    assert [o["warrant_number"] for o in found["items"]] == ["Z1"]
    assert client.get("/api/v1/officers?per_page=501", headers=headers).status_code == 400


def test_edit_with_a_stale_if_match_is_refused_and_changes_nothing(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(base_location="Ely")
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}"
    first = client.patch(
        url, json={"base_location": "Huntingdon"}, headers={**headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200
    assert first.headers["ETag"] == '"2"'
    stale = client.patch(
        url, json={"base_location": "March"}, headers={**headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 409
    assert client.get(url, headers=headers).get_json()["base_location"] == "Huntingdon"


def test_leaving_keeps_the_record_and_cannot_happen_twice(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2022, 1, 1))
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}/leave"
    assert client.post(url, json={"left_on": "2021-12-31"}, headers=headers).status_code == 422
    left = client.post(url, json={"left_on": "2026-06-30"}, headers=headers)
    assert left.status_code == 200
    assert left.get_json()["left_on"] == "2026-06-30"
    assert client.post(url, json={"left_on": "2026-07-30"}, headers=headers).status_code == 409
    read = client.get(f"/api/v1/officers/{officer.id}", headers=headers)
    assert read.status_code == 200
    assert read.get_json()["left_on"] == "2026-06-30"
    # Leaving is a new version of the officer, as the answer to it said.
    assert read.get_json()["version"] == left.get_json()["version"] == 2
    assert read.headers["ETag"] == '"2"'
