"""Structured JSON logs of what is safe to keep: never secrets, query strings or names."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "token_id",
    "role",
    "return_id",
    "quarter",
    "made",
    "unchanged",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure(level: str) -> None:
    root = logging.getLogger("dutyservice")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
