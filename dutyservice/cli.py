"""The `dutyservice` command (Flask's CLI underneath: `flask --app dutyservice ...` works too)."""

from __future__ import annotations

import gc
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .db import Database
from .errors import DomainError


def _db() -> Database:
    return current_app.extensions["dutyservice"].db


def _fail(error: DomainError) -> None:
    message = error.detail
    if error.errors:
        message += ": " + "; ".join(f"{k} {', '.join(v)}" for k, v in error.errors.items())
    raise click.ClickException(message)


def _create_app() -> Flask:
    # Only `serve` answers HTTP: building the API is most of any other command's start-up.
    app = create_app(http_api=click.get_current_context().command.name == "serve")
    # A command's connections are closed when it ends, not left to the garbage collector.
    click.get_current_context().call_on_close(app.extensions["dutyservice"].db.dispose)
    # What start-up built (modules, mappers, the app) lives as long as the process: the
    # collector need not walk it again, neither while the command runs nor at exit, where
    # walking it took a fifth of a short command's run. (The console script paused it.)
    gc.freeze()
    gc.enable()
    return app


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """dutyservice: Specials' duties, Independent Patrol Status and the NPoCC return."""


@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate to the newest schema and seed the reference data."""
    from .fixtures import seed_reference_data
    from .migrate import upgrade

    upgrade(_db())
    seed_reference_data(_db())
    click.echo("database at head; reference data seeded")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API with gunicorn (a production WSGI server)."""
    from .server import serve as run

    run(current_app._get_current_object(), host, port, workers, threads)  # type: ignore[attr-defined]


@main.group()
def token() -> None:
    """API tokens: only their hashes are stored; the secret is shown once."""


@token.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["special", "supervisor", "authoriser", "planner", "npocc", "admin"]),
)
@click.option("--force", "force_code", help="force code, for force roles")
@click.option("--officer", "officer_id", type=int, help="officer id, for a special")
@click.option("--label", default="", help="who or what the token is for")
@click.option("--expires", type=click.DateTime(), help="UTC expiry, e.g. 2027-01-31T00:00:00")
@with_appcontext
def token_create(
    role: str, force_code: str | None, officer_id: int | None, label: str, expires: datetime | None
) -> None:
    """Make a token; its secret is printed once, alone on the last line."""
    from .auth.service import create_token

    try:
        issued = create_token(
            _db(),
            role=role,
            force_code=force_code,
            officer_id=officer_id,
            label=label,
            expires_at=expires.replace(tzinfo=UTC) if expires else None,
        )
    except DomainError as error:
        _fail(error)
        return
    click.echo(
        f"token {issued.id} ({role}) created; keep the secret, it is not shown again:", err=False
    )
    click.echo(issued.secret)


@token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """End a token at once."""
    from .auth.service import revoke_token

    try:
        revoke_token(_db(), token_id)
    except DomainError as error:
        _fail(error)
    click.echo(f"token {token_id} revoked")


@token.command("list")
@with_appcontext
def token_list() -> None:
    """The tokens, without their secrets."""
    from .auth.service import list_tokens

    click.echo(f"{'id':>5}  {'role':<11} {'force':>5} {'officer':>7}  {'state':<8} label")
    now = datetime.now(UTC)
    for t in list_tokens(_db()):
        state = (
            "revoked"
            if t.revoked_at
            else "expired"
            if t.expires_at and t.expires_at <= now
            else "active"
        )
        click.echo(
            f"{t.id:>5}  {t.role:<11} {t.force_id or '':>5} {t.officer_id or '':>7}  "
            f"{state:<8} {t.label}"
        )


def _settings():  # type: ignore[no-untyped-def]
    return current_app.extensions["dutyservice"].settings


@main.command()
@click.option("--quarter", required=True, help="e.g. 2026-Q3")
@click.option("--force", "force_code", help="one force's code; default: every force")
@with_appcontext
def export(quarter: str, force_code: str | None) -> None:
    """Make (and, where a feed is configured, deliver) the NPoCC return for a quarter."""
    from .clock import Quarter
    from .npocc.generation import generate_quarter

    try:
        parsed = Quarter.parse(quarter)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    settings = _settings()
    with click.progressbar(
        length=1 if force_code else 43, label=f"{parsed} returns", file=sys.stderr
    ) as bar:
        try:
            generated = generate_quarter(
                _db(), settings.export_dir, parsed, force_code, progress=lambda _code: bar.update(1)
            )
        except DomainError as error:
            _fail(error)
            return
    records = [item.record for item in generated]
    if settings.npocc_feed_url:  # without a feed, the command never loads the HTTP client
        from .npocc.delivery import deliver

        records = [
            deliver(_db(), settings, item.record.id) if item.created else item.record
            for item in generated
        ]
    for item, record in zip(generated, records, strict=True):
        state = "made" if item.created else "unchanged"
        click.echo(
            f"{record.return_id}  {state:<9}  {record.record_count:>5} officers  {record.status}"
        )


@main.command()
@with_appcontext
def scheduler() -> None:
    """Run the quarterly return (02:00 Europe/London, first day of each quarter) and retries."""
    from .npocc.scheduler import run_scheduler

    run_scheduler(_db(), _settings())


@main.group()
def fixtures() -> None:
    """Named data sets."""


@fixtures.command("load")
@click.argument("name", type=click.Choice(["demo", "national"]))
@click.option("--tokens/--no-tokens", default=True, help="print a demo token for each role")
@click.option("--officers", default=20_000, show_default=True, help="national: headcount")
@click.option("--years", default=3, show_default=True, help="national: years of history")
@click.option("--seed", default=1, show_default=True, help="national: the same seed, the same data")
@with_appcontext
def fixtures_load(name: str, tokens: bool, officers: int, years: int, seed: int) -> None:
    """Load a data set: `demo` is one force's Specials with a season of duties; `national` is
    every force's Specials with years of history, loaded in bulk."""
    from .fixtures import demo_tokens, load_demo

    if name == "national":
        from .national import load_national

        with click.progressbar(length=officers, label="headcount", file=sys.stderr) as bar:
            counts = load_national(
                _db(), officers=officers, years=years, seed=seed, progress=bar.update
            )
        click.echo(
            f"national data loaded: {counts.officers} officers, {counts.duties} duties, "
            f"{counts.records} rows"
        )
        return

    loaded = load_demo(_db())
    click.echo("demo data loaded" if loaded else "demo data already present")
    if tokens:
        click.echo("demo tokens (Authorization: Bearer <token>):")
        for role, secret in demo_tokens(_db()).items():
            click.echo(f"  {role:<11} {secret}")


@main.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", "force_code", required=True, help="the force's code")
@click.option("--dry-run", is_flag=True, help="check every file and write nothing")
@click.option("--update", is_flag=True, help="apply changed rows (otherwise reported as conflicts)")
@with_appcontext
def import_(directory: Path, force_code: str, dry_run: bool, update: bool) -> None:
    """Import a force's existing records from the CSV files in DIRECTORY (docs/import.md)."""
    from .imports.command import run_import

    sys.exit(run_import(_db(), directory, force_code, dry_run=dry_run, update=update))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
