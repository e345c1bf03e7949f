"""Structured logs (API.md "Running it for a force"): one JSON object a line on standard error,
`ts` in UTC with `Z`, `level`, `event`, and what the line is about; gunicorn's own lines in the
same format. Never secrets, query strings or officers' names."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# Every attribute a LogRecord has of its own: whatever else it carries came as `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def timestamp(created: float) -> str:
    """RFC 3339 in UTC with `Z`: two instants an hour apart on a clock-change night differ."""
    instant = datetime.fromtimestamp(created, UTC)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": timestamp(record.created),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            "logger": record.name,
        }
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str) -> None:
    root = logging.getLogger("dutyservice")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def gunicorn_log_config(level: str) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its own lines (starting, workers, errors) as JSON lines."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"console": handler, "error_console": handler},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": level, "handlers": ["console"], "propagate": False},
        },
        "root": {"level": "WARNING", "handlers": []},
    }
