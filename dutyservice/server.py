"""The production WSGI server: gunicorn with threaded workers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(_server: Any, worker: Any) -> None:
    # A forked worker must not share the parent's database connections.
    worker.app.application.extensions["dutyservice"].db.dispose()


def serve(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    GunicornServer(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "post_fork": _post_fork,
            "accesslog": None,
            "timeout": 60,
            # gunicorn would answer an over-long request line with its own HTML page; the app
            # refuses a URL longer than MAX_URL_LENGTH with a problem instead (api/__init__.py).
            "limit_request_line": 0,
            "graceful_timeout": 10,
        },
    ).run()
