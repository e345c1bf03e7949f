"""The `dutyservice` command (Flask's CLI underneath: `flask --app dutyservice ...` works too)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import AppState, create_app
from .collector import resume_after_start_up
from .config import ConfigError, Settings
from .db import Database
from .errors import DomainError, Unavailable

if TYPE_CHECKING:
    from .ips.spans import Differences

#: `dutyservice export`: every return made, and a delivery failed (API.md).
EXIT_DELIVERY_FAILED = 3
#: A setting that cannot be used, or a database that cannot be reached (API.md).
EXIT_CONFIGURATION = 2
log = logging.getLogger("dutyservice.cli")


def _state() -> AppState:
    state: AppState = current_app.extensions["dutyservice"]
    return state


def _db() -> Database:
    return _state().db


def _fail(error: DomainError) -> NoReturn:
    """One line on standard error, `Error: ...`, and exit status 1."""
    messages = [m for field_messages in (error.errors or {}).values() for m in field_messages]
    raise click.ClickException("; ".join(messages) or error.detail)


@contextmanager
def _progress(length: Callable[[], int], label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error when it is a terminal (`length` is asked only then);
    nothing when it is not."""
    if not sys.stderr.isatty():
        yield lambda _steps: None
        return
    with click.progressbar(length=length(), label=label, file=sys.stderr) as bar:
        yield bar.update


def _table(rows: Sequence[tuple[str, ...]], right: tuple[int, ...] = ()) -> None:
    """Rows under a header (the first row), each column as wide as its widest value."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            value.rjust(width) if i in right else value.ljust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())


def _create_app() -> Flask:
    # Only `serve` answers HTTP: building the API is most of any other command's start-up.
    serving = click.get_current_context().command.name == "serve"
    if serving:
        from .server import prepare_metrics_directory

        prepare_metrics_directory()
    app = create_app(http_api=serving)
    # A command's connections are closed when it ends, not left to the garbage collector.
    click.get_current_context().call_on_close(app.extensions["dutyservice"].db.dispose)
    resume_after_start_up()  # what start-up built is frozen (see `collector`)
    return app


class ConfigurationProblem(click.ClickException):
    """A setting that cannot be used, or a database that cannot be: one `Error:` line, exit 2."""

    exit_code = EXIT_CONFIGURATION


class Commands(FlaskGroup):
    """Flask's command group without Flask's own options: the app is always dutyservice, and
    its settings come from DUTYSERVICE_* variables (`flask --app dutyservice` keeps them)."""

    def __init__(self, **extra: Any) -> None:
        super().__init__(**extra)
        self.params = [p for p in self.params if p.name not in ("env_file", "app", "debug")]

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise ConfigurationProblem(str(error)) from None
        except (ArgumentError, NoSuchModuleError) as error:
            raise ConfigurationProblem(f"DUTYSERVICE_DATABASE_URL: {_reason(error)}") from None
        except DBAPIError as error:
            if not _unreachable(error):
                raise
            _database_unreachable(error)
        except Unavailable as error:
            if isinstance(error.__cause__, DBAPIError) and _unreachable(error.__cause__):
                _database_unreachable(error.__cause__)
            raise click.ClickException(error.detail) from None


def _reason(error: Exception) -> str:
    """`config_check.reason`, imported only when a command fails: the module and what it
    imports (Alembic, the mail transport) are about 120 ms of every command's start otherwise."""
    from .config_check import reason

    return reason(error)


def _database_unreachable(error: Exception) -> NoReturn:
    log.error("database unreachable", extra={"reason": _reason(error)})
    raise ConfigurationProblem(f"the database cannot be reached: {_reason(error)}") from None


def _unreachable(error: Exception) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError)


@click.group(
    cls=Commands, create_app=_create_app, add_default_commands=False, add_version_option=False
)
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


@db.command("check")
@click.option("--repair", is_flag=True, help="rewrite the spans that differ from the records")
@with_appcontext
def db_check(repair: bool) -> None:
    """Recompute every officer's eligibility spans (role profiles) and stage spans (learning
    programme) from their records and compare them with those stored (exit 1 when they
    differ); with --repair, write what the records say."""
    from .ips import spans, stage_spans

    differing = False
    for kept in (spans.PROFILES, stage_spans.STAGES):
        with _db().transaction() as session:
            found = spans.repair(session, kept) if repair else spans.differences(session, kept)
        _report_spans(kept.name, found, repair)
        differing = differing or bool(found)
    if differing and not repair:
        raise SystemExit(1)


def _report_spans(name: str, found: Differences, repaired: bool) -> None:
    if not found:
        click.echo(f"{name}: every officer's agree with their records")
        return
    officers = ", ".join(str(o) for o in found.officers[:20])
    more = f" and {len(found.officers) - 20} more" if len(found.officers) > 20 else ""
    click.echo(
        f"{name}: {len(found.officers)} officer(s) differ from their records "
        f"({len(found.missing)} missing, {len(found.extra)} not the rule's): {officers}{more}"
    )
    if repaired:
        click.echo("repaired: their spans were rewritten from their records")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(path: Path) -> None:
    """Copy the database to PATH while the service runs (SQLite file, or pg_dump's format), and
    the export directory's files to PATH.exports.tar; both readable by their owner only."""
    from .backup import backup, backup_exports, exports_backup_path

    try:
        backup(_settings().database_url, path)
        files = backup_exports(_settings().export_dir, path)
    except DomainError as error:
        _fail(error)
    except OSError as error:
        raise click.ClickException(f"the backup could not be written: {error.strerror}") from None
    click.echo(f"{files} files of the export directory written to {exports_backup_path(path)}")
    click.echo(f"backup written to {path}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API with gunicorn (a production WSGI server)."""
    from .config_check import serve_problems
    from .server import serve as run

    problems = serve_problems(_settings())
    if problems:
        raise ConfigurationProblem("; ".join(problems))

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # typed as the app, not its proxy
    run(app, host, port, workers, threads)


@main.group()
def config() -> None:
    """The service's settings (DUTYSERVICE_* variables)."""


@config.command("check")
def config_check() -> None:
    """Read every setting, then try what they name: the database (at the head migration?), the
    forces, the session key, mail, the feed and the identity provider. Exit 2 on a problem."""
    from .config_check import check

    problems = Settings.problems_in()
    if not problems:
        settings = Settings.from_environment()
        database = Database(settings.database_url)
        try:
            findings = check(settings, database)
        finally:
            database.dispose()
        for finding in findings:
            if finding.ok:
                click.echo(f"ok: {finding.line}")
        problems = [finding.line for finding in findings if not finding.ok]
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if problems:
        sys.exit(EXIT_CONFIGURATION)


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
            served=_settings().forces,
        )
    except DomainError as error:
        _fail(error)
    who = [f"role {issued.role}"]
    if issued.force_code:
        who.append(f"force {issued.force_code}")
    if issued.officer_id is not None:
        who.append(f"officer {issued.officer_id} ({issued.officer_ref})")
    if label:
        who.append(f"label {label!r}")
    click.echo(f"token {issued.id} created: {', '.join(who)}")
    click.echo("the secret, shown only now (Authorization: Bearer <secret>):")
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

    now = datetime.now(UTC)
    rows = [("id", "role", "force", "officer", "state", "label")]
    for t in list_tokens(_db()):
        state = (
            "revoked"
            if t.revoked_at
            else "expired"
            if t.expires_at and t.expires_at <= now
            else "active"
        )
        officer = "" if t.officer_id is None else str(t.officer_id)
        rows.append((str(t.id), t.role, t.force_code or "", officer, state, t.label))
    _table(rows, right=(0, 3))


def _settings() -> Settings:
    return _state().settings


@main.command()
@click.option("--quarter", required=True, help="e.g. 2026-Q3")
@click.option("--force", "force_code", help="one force's code; default: every force")
@with_appcontext
def export(quarter: str, force_code: str | None) -> None:
    """Make (and, where a feed is configured, deliver) the NPoCC return for a quarter."""
    from sqlalchemy import func, select

    from .clock import Quarter
    from .forces.models import Force
    from .npocc.service import make_quarter_returns

    try:
        parsed = Quarter.parse(quarter)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    settings = _settings()

    def forces(*where: Any) -> int:
        with _db().reading() as session:
            return session.scalar(select(func.count()).select_from(Force).where(*where)) or 0

    if force_code is not None and not forces(Force.code == force_code):
        raise click.ClickException(f"unknown force {force_code!r}")
    served = (Force.code.in_(settings.forces),) if settings.forces else ()
    making = (Force.makes_returns, *served)
    with _progress(lambda: 1 if force_code else forces(*making), f"{parsed} returns") as advance:
        try:
            generated = make_quarter_returns(
                _db(), settings, parsed, force_code, progress=lambda _code: advance(1)
            )
        except DomainError as error:
            _fail(error)
    rows = [("return", "this run", "officers", "delivery")]
    for item in generated:
        record = item.record
        state = "made" if item.created else "unchanged"
        # Without a feed the files are the return: nothing waits to be sent.
        delivery = "files only" if record.status == "filed" else record.status
        rows.append((record.return_id, state, str(record.record_count), delivery))
    _table(rows, right=(2,))
    # A delivery tried now and not accepted is left pending for a retry: failed for this run.
    tried = [item.record for item in generated if item.created and settings.npocc_feed_url]
    if any(record.status != "delivered" for record in tried) or any(
        item.record.status == "failed" for item in generated
    ):
        click.echo("Error: a delivery failed: the return waits to be sent again", err=True)
        sys.exit(EXIT_DELIVERY_FAILED)


@main.command("export-queued")
@with_appcontext
def export_queued() -> None:
    """Make the returns asked for with `Prefer: respond-async` that wait, then exit: what the
    scheduler does every 15 seconds, for a deployment that runs none."""
    from .npocc.requests import FAILED, run_queued

    finished = run_queued(_db(), _settings())
    for request in finished:
        scope = request.force_code or "every force"
        if request.state == FAILED:
            detail = (request.problem or {}).get("detail", "")
            click.echo(f"request {request.id} ({request.quarter}, {scope}): failed: {detail}")
        else:
            made, unchanged = len(request.made or []), len(request.unchanged or [])
            click.echo(
                f"request {request.id} ({request.quarter}, {scope}): "
                f"{made} made, {unchanged} unchanged"
            )
    click.echo(f"requests: {len(finished)}")
    if any(request.state == FAILED for request in finished):
        sys.exit(1)


@main.command()
@with_appcontext
def scheduler() -> None:
    """Run the quarterly return (02:00 Europe/London, first day of each quarter), its delivery
    retries, and the e-mail outbox every minute."""
    from .scheduler.jobs import run_scheduler

    run_scheduler(_db(), _settings())


@main.command()
@with_appcontext
def notify() -> None:
    """Queue the messages due now (reminders, training, returns), send everything queued, exit."""
    from .notify.mail import parse_smtp_url
    from .notify.sending import send_queued
    from .notify.service import queue_due
    from .notify.webpush import vapid_refusal

    settings = _settings()
    queued = queue_due(_db(), settings)
    click.echo(
        f"queued: {queued.reminders} reminders, {queued.training} training, "
        f"{queued.returns} returns"
    )
    if not settings.smtp_url and not settings.push_enabled:
        click.echo(
            "no DUTYSERVICE_SMTP_URL and no VAPID key: nothing sent, "
            "the messages wait in the outbox"
        )
        return
    try:
        if settings.smtp_url:
            parse_smtp_url(settings.smtp_url)  # its message never echoes the URL (a password)
        refusal = settings.push_enabled and vapid_refusal(
            settings.vapid_private_key, settings.vapid_subject
        )
        if refusal:
            raise ValueError(refusal)  # nor the key
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    sent = send_queued(_db(), settings)
    click.echo(f"sent: {sent.sent}; to retry: {sent.retried}; failed: {sent.failed}")


@main.group()
def push() -> None:
    """Push to phones (Web Push)."""


@push.command("keys")
def push_keys() -> None:
    """Print a new VAPID key pair: the private key for DUTYSERVICE_VAPID_PRIVATE_KEY (keep it
    secret) and the public key browsers will subscribe with."""
    from .notify.webpush import new_private_key, public_key_of

    private_key = new_private_key()
    click.echo(f"DUTYSERVICE_VAPID_PRIVATE_KEY={private_key}")
    click.echo(f"public key: {public_key_of(private_key)}")


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
    from .fixtures import demo_tokens, ensure_demo_event, load_demo

    if name == "national":
        from .national import load_national

        with _progress(lambda: officers, "headcount") as advance:
            counts = load_national(
                _db(), officers=officers, years=years, seed=seed, progress=advance
            )
        click.echo(
            f"national data loaded: {counts.officers} officers, {counts.duties} duties, "
            f"{counts.records} rows"
        )
        return

    loaded = load_demo(_db())
    click.echo("demo data loaded" if loaded else "demo data already present")
    if ensure_demo_event(_db()):
        click.echo("an event open for sign-up added to the demo")
    if tokens:
        issued, revoked = demo_tokens(_db())
        if revoked:
            click.echo(
                f"the {revoked} demo tokens printed before have ended: anyone signed in with "
                "them is signed out; sign in again with these"
            )
        click.echo("demo tokens (Authorization: Bearer <token>):")
        for role, token in issued.items():
            who = token.officer_ref or token.force_code or "every force"
            click.echo(f"  {role:<11} {who:<24} {token.secret}")


@main.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", "force_code", required=True, help="the force's code")
@click.option("--dry-run", is_flag=True, help="check every file and write nothing")
@click.option("--update", is_flag=True, help="apply changed rows (otherwise reported as conflicts)")
@with_appcontext
def import_(directory: Path, force_code: str, dry_run: bool, update: bool) -> None:
    """Import a force's existing records from the CSV files in DIRECTORY (docs/import.md)."""
    from .imports.command import run_import
    from .served import check_served

    try:
        check_served(_settings().forces, force_code, "--force")
    except DomainError as error:
        _fail(error)
    sys.exit(run_import(_db(), directory, force_code, dry_run=dry_run, update=update))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


@main.group()
def retention() -> None:
    """Personal data kept no longer than the force's retention schedule (API.md)."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="list what would change and change nothing")
@with_appcontext
def retention_apply(dry_run: bool) -> None:
    """Anonymise officers who left more than DUTYSERVICE_RETENTION_YEARS (default 6) full
    years ago; their duties, hours and qualifications stay."""
    from .clock import london_today
    from .privacy.retention import apply_retention
    from .privacy.rules import DEFAULT_RETENTION_YEARS

    years = _settings().retention_years or DEFAULT_RETENTION_YEARS
    changed = apply_retention(_db(), london_today(), years, dry_run=dry_run)
    for outcome in changed:
        click.echo(outcome.describe())
    verb = "would be anonymised" if dry_run else "anonymised"
    click.echo(f"{len(changed)} officer(s) {verb}: left more than {years} full years ago")


@main.group()
def officer() -> None:
    """One officer's record."""


@officer.command("erase")
@click.argument("officer_id", type=int)
@click.option("--reason", required=True, help="why the law allows it, for the audit trail")
@click.option("--dry-run", is_flag=True, help="say what would change and change nothing")
@with_appcontext
def officer_erase(officer_id: int, reason: str, dry_run: bool) -> None:
    """Erase an officer's personal data on request, where the law allows it (one who never
    served, or has left): the same anonymisation as retention, audited with the reason."""
    from .audit import ServiceActor
    from .privacy.retention import erase_officer

    if not reason.strip():
        raise click.BadParameter(
            "give the reason the law allows the erasure", param_hint="--reason"
        )
    actor = ServiceActor(role="admin", name="dutyservice officer erase")
    try:
        outcome = erase_officer(_db(), officer_id, reason.strip(), actor, dry_run=dry_run)
    except DomainError as error:
        _fail(error)
    click.echo(outcome.describe())
