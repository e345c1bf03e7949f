"""The production WSGI server: gunicorn with threaded workers.

Stopping (SIGTERM) is graceful: each worker first says it is not ready (`/readyz` 503) while it
goes on answering for `drain_seconds`, so that a load balancer stops sending it requests; then it
stops accepting and finishes the requests in flight.
"""

from __future__ import annotations

import fcntl
import math
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .config import ConfigError
from .lifecycle import begin_shutdown
from .logs import gunicorn_log_config

METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
LOCK_FILE = ".dutyservice-serve.lock"
# The workers' last requests after the drain: gunicorn kills what is still running after this.
FINISH_IN_FLIGHT_SECONDS = 10
# The request line (method, URL, version) in bytes: gunicorn's largest. Unbounded, reading a
# long line costs time quadratic in its length: one request of 8 MB held a worker for 16 s.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELD_SIZE = 8190  # one header field, name and value, in bytes
LIMIT_REQUEST_FIELDS = 100  # header fields in one request
_made_directory: Path | None = None  # removed at exit; a directory an operator named is kept


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def prepare_metrics_directory() -> Path:
    """The directory the workers' metrics are kept in, emptied: call before the app is built.

    prometheus-client chooses its multiprocess mode when it is imported, and the counts of a
    previous run must not be added to this one's (its multiprocess guide).
    """
    given = os.environ.get(METRICS_DIR)
    if given:
        directory = Path(given)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"{METRICS_DIR} cannot be made: {exc.strerror}") from None
        _hold(directory)
        for leftover in directory.glob("*.db"):
            leftover.unlink()
    else:
        global _made_directory
        directory = _made_directory = Path(tempfile.mkdtemp(prefix="dutyservice-metrics-"))
        os.environ[METRICS_DIR] = str(directory)
    return directory


_held: list[int] = []  # the lock on the metrics directory, held while this server runs


def _hold(directory: Path) -> None:
    """One running server per metrics directory: emptying it at start would wipe the counts
    of another instance using it, so a second one refuses to start instead."""
    descriptor = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise ConfigError(
            f"{METRICS_DIR} {directory} is in use by another running server: "
            "give each instance a directory of its own"
        ) from None
    _held.append(descriptor)  # kept open (and inherited by the workers) until the server exits


def _post_fork(_server: Any, worker: Any) -> None:
    # A forked worker must not share the parent's database connections.
    worker.app.application.extensions["dutyservice"].db.dispose()
    drain = worker.app.application.extensions["dutyservice"].settings.shutdown_drain_seconds
    stop = worker.handle_exit

    def drain_then_stop(sig: int, frame: Any) -> None:
        begin_shutdown()
        threading.Timer(drain, stop, (sig, frame)).start()

    # Replaced before the worker installs its signal handlers (gunicorn calls post_fork first).
    worker.handle_exit = drain_then_stop


def _child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]  # untyped upstream


def _on_exit(_server: Any) -> None:
    if _made_directory is not None:
        shutil.rmtree(_made_directory, ignore_errors=True)


def serve(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    settings = app.extensions["dutyservice"].settings
    drain = settings.shutdown_drain_seconds
    GunicornServer(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "post_fork": _post_fork,
            "child_exit": _child_exit,
            "on_exit": _on_exit,
            "accesslog": None,
            "logconfig_dict": gunicorn_log_config(settings.log_level),
            # X-Forwarded-Proto is believed from DUTYSERVICE_TRUSTED_PROXIES proxies only, by the
            # app (werkzeug's ProxyFix), never by gunicorn's own address list.
            "secure_scheme_headers": {},
            # gunicorn's control socket has one default path per user: two instances on one
            # host would answer each other's commands. Processes are managed by signals here.
            "control_socket_disable": True,
            "timeout": 60,
            # Bounds on what is read before the app sees a request (docs/api-input.md): past
            # them gunicorn answers 414 or 431 and closes the connection, having read no more.
            "limit_request_line": LIMIT_REQUEST_LINE,
            "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
            "limit_request_fields": LIMIT_REQUEST_FIELDS,
            "graceful_timeout": math.ceil(drain) + FINISH_IN_FLIGHT_SECONDS,
        },
    ).run()
