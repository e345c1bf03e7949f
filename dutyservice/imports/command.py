"""`dutyservice import DIR --force CODE [--dry-run] [--update]`, as the command line runs it."""

from __future__ import annotations

import sys
from pathlib import Path

from ..db import Database
from ..errors import DomainError
from .service import import_records
from .terminal import ProgressLine, write_report


def run_import(
    db: Database, directory: Path, force_code: str, *, dry_run: bool, update: bool
) -> int:
    """The exit status: 0 when the set was imported (or would be, on a dry run), 1 otherwise."""
    progress = ProgressLine(sys.stderr)
    try:
        report = import_records(
            db, directory, force_code, dry_run=dry_run, update=update, progress=progress
        )
    except DomainError as error:
        progress.close()
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in (error.errors or {}).items())
        sys.stderr.write(f"error: {error.detail}{': ' + detail if detail else ''}\n")
        return 1
    progress.close()
    write_report(report, sys.stdout)
    return 1 if report.errors else 0
