"""The `dutyservice` command as an operator uses it."""

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.db import Database

from ..support.commands import dutyservice, run_in_process


def run(database_url: str, *args: str) -> str:
    """The command in a new Python process, as an operator runs it (nothing imported before)."""
    result = dutyservice(database_url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_token_made_on_the_command_line_works_once_revoked_it_does_not(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    output = run(
        db.url,
        "token",
        "create",
        "--role",
        "planner",
        "--force",
        "cambridgeshire",
        "--label",
        "ops room",
    )
    secret = output.strip().splitlines()[-1]
    assert secret.startswith("dsk_")
    assert " " not in secret
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/officers", headers=headers).status_code == 200
    listing = run(db.url, "token", "list")
    assert "ops room" in listing
    assert "planner" in listing
    assert secret not in listing
    token_id = listing.strip().splitlines()[-1].split()[0]
    run(db.url, "token", "revoke", token_id)
    assert client.get("/api/v1/officers", headers=headers).status_code == 401
    assert "revoked" in run(db.url, "token", "list")


def test_only_a_hash_of_the_secret_is_stored(app: Flask, db: Database) -> None:
    from sqlalchemy import text

    secret = run(db.url, "token", "create", "--role", "admin").strip().splitlines()[-1]
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_tokens")).all()
    assert rows
    assert all(secret not in str(tuple(row)) for row in rows)


def test_force_role_token_needs_a_force(app: Flask, db: Database) -> None:
    result = run_in_process(db.url, "token", "create", "--role", "supervisor")
    assert result.returncode != 0
    assert "--force" in result.stderr


def test_upgrade_and_demo_on_a_new_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert "database at head" in run(url, "db", "upgrade")
    output = run(url, "fixtures", "load", "demo")
    assert "demo data loaded" in output
    roles = [line.split()[0] for line in output.splitlines() if line.startswith("  ")]
    assert roles == ["special", "supervisor", "authoriser", "planner", "npocc", "admin"]
    assert "already present" in run(url, "fixtures", "load", "demo", "--no-tokens")
