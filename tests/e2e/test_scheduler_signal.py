"""A SIGTERM stops the scheduler even when it comes while Python runs a finaliser, where the
exception that unwinds the main thread is reported and dropped (seen in a scheduler stopped
just after finishing a quarter: it ran on)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _signalled_while_collecting(*args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.finaliser_signal", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "collecting\n", process.stderr
    process.send_signal(signal.SIGTERM)
    return process


def test_a_sigterm_during_a_finaliser_still_stops_the_scheduler() -> None:
    process = _signalled_while_collecting()
    try:
        assert process.wait(timeout=20) == 128 + signal.SIGTERM
    finally:
        process.kill()
        process.communicate()


def test_with_the_handler_alone_the_scheduler_would_run_on() -> None:
    """The negative control: the dropped SystemExit, and the process still running after."""
    process = _signalled_while_collecting("--plain")
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "collected\n"
        assert process.poll() is None
    finally:
        process.kill()
        _, errors = process.communicate()
    assert "SystemExit" in errors
