"""A real server: `dutyservice serve` (gunicorn) in its own process, on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, **environment: str
) -> Iterator[str]:
    """`dutyservice serve` on a free port, answering /readyz; stopped when the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "DUTYSERVICE_DATABASE_URL": database_url,
        "DUTYSERVICE_EXPORT_DIR": str(tmp_path_factory.mktemp("server-exports")),
        "DUTYSERVICE_LOG_LEVEL": "WARNING",
        **environment,
    }
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dutyservice",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--threads",
                "8",
            ],
            env=env,
            stdout=output,
            stderr=output,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(database_url, tmp_path_factory) as base:
        yield base
