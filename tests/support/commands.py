"""`dutyservice` run as an operator runs it, from a new process, against a test database."""

from __future__ import annotations

import os
import subprocess
import sys

from dutyservice.db import Database


def dutyservice(db: Database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutyservice", *args],
        env={
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": db.url,
            "DUTYSERVICE_LOG_LEVEL": "WARNING",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
