"""A real server: `dutyservice serve` (gunicorn) in its own process, on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar, cast

import pytest
import requests

Test = TypeVar("Test", bound=Callable[..., None])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RunningServer:
    """`dutyservice serve` in its own process, as an operator starts it."""

    def __init__(
        self,
        database_url: str,
        directory: Path,
        *,
        workers: int = 2,
        module: str = "dutyservice",
        **environment: str,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"server-{self.port}.log"
        env = {**os.environ, "DUTYSERVICE_SHUTDOWN_DRAIN_SECONDS": "0.2"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each server makes its own
        # What a deployment sets: its pages' key (serve refuses to start without it on
        # PostgreSQL) and its public address, for links and the sign-in's way back.
        env.setdefault("DUTYSERVICE_SECRET_KEY", "a key for the served tests only, not for use")
        env.setdefault("DUTYSERVICE_BASE_URL", self.base)
        env.update(
            {
                "DUTYSERVICE_DATABASE_URL": database_url,
                "DUTYSERVICE_EXPORT_DIR": str(directory / "exports"),
                "DUTYSERVICE_LOG_LEVEL": "WARNING",
                **environment,
            }
        )
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    module,  # another only for a negative control (tests/e2e/unconditional.py)
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(workers),
                    "--threads",
                    "8",
                ],
                env=env,
                stdout=output,
                stderr=output,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the server did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@contextmanager
def served(
    database_url: str,
    directory: Path,
    *,
    workers: int = 2,
    module: str = "dutyservice",
    **environment: str,
) -> Iterator[str]:
    """`dutyservice serve` (`workers` x 8 threads) on a free port, until the block ends."""
    running = RunningServer(database_url, directory, workers=workers, module=module, **environment)
    try:
        yield running.base
    finally:
        running.stop()


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(database_url, tmp_path_factory.mktemp("server")) as base:
        yield base


def negative_control(test: Test) -> Test:
    """A test that removes a guard and shows the race it guarded against: CI runs it, `python3
    dev.py test` leaves it out (docs/testing.md)."""
    return cast(Test, pytest.mark.ci(test))
