"""Whether this process has begun to shut down: /readyz answers 503 from that moment."""

from __future__ import annotations

import threading

_draining = threading.Event()


def begin_shutdown() -> None:
    _draining.set()


def shutting_down() -> bool:
    return _draining.is_set()
