"""What an operator sees: rows per second while a file is read (on a terminal only), every
error and conflict as `file:line: column: reason`, and the summary as the last line."""

from __future__ import annotations

import time
from typing import TextIO

from .report import ImportReport


class ProgressLine:
    """One line, rewritten in place at most a few times a second; nothing when not a terminal."""

    def __init__(self, stream: TextIO, interval: float = 0.25) -> None:
        self.stream, self.interval = stream, interval
        self.shown = stream.isatty()
        self.file: str | None = None
        self.started = self.last_shown = 0.0

    def __call__(self, file: str, rows: int) -> None:
        if not self.shown:
            return
        now = time.monotonic()
        if file != self.file:
            if self.file is not None:
                self.stream.write("\n")
            self.file, self.started, self.last_shown = file, now, 0.0
        if now - self.last_shown < self.interval and rows % 1000 == 0:
            return
        self.last_shown = now
        rate = rows / max(now - self.started, 1e-6)
        self.stream.write(f"\r{file}: {rows:,} rows, {rate:,.0f} rows/s")
        self.stream.flush()

    def close(self) -> None:
        if self.shown and self.file is not None:
            self.stream.write("\n")
            self.stream.flush()


def write_report(report: ImportReport, stream: TextIO) -> None:
    for error in report.errors:
        stream.write(f"{error}\n")
    for conflict in report.conflicts:
        stream.write(f"{conflict} (conflict: not changed; --update applies it)\n")
    stream.write(report.summary() + "\n")
