"""`dutyservice` as an operator runs it against a test database, its settings only those given
(none inherited from the shell that started the tests): in a new process (`dutyservice`), or
in this one (`run_in_process`), a third of a second's processor time cheaper a run.

A test takes a process where the process is what it is about: `python -m dutyservice` as the
entry point, a terminal, signals, being killed, several commands at once, what the process
writes to its standard error beside the command's own lines. Otherwise the command runs here.
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: How an operator's shell starts the command.
COMMAND = (sys.executable, "-m", "dutyservice")


def settings(database_url: str, **env: str) -> dict[str, str]:
    """The command's DUTYSERVICE_* variables: its database, warnings and worse logged, and `env`."""
    return {"DUTYSERVICE_DATABASE_URL": database_url, "DUTYSERVICE_LOG_LEVEL": "WARNING", **env}


def environment(database_url: str, **env: str) -> dict[str, str]:
    """A new process's environment: this one's, its DUTYSERVICE_* variables only `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DUTYSERVICE_")}
    return inherited | settings(database_url, **env)


def dutyservice(
    database_url: str, *args: str, stderr: int | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m dutyservice ARGS` in a new process, its output piped (as a script reads it), or
    its standard error on a terminal (`stderr`: the terminal's file descriptor)."""
    return subprocess.run(
        [*COMMAND, *args],
        env=environment(database_url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if stderr is None else stderr,
        text=True,
        timeout=180,
    )


@dataclass(frozen=True)
class Completed:
    """A command run in this process, named as `subprocess.CompletedProcess` names a process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run_in_process(database_url: str, *args: str, **env: str) -> Completed:
    """`dutyservice ARGS` in this process: the command line's own group, its settings from the
    environment (for the run only), its output piped. An exception that would end a process
    with a traceback is exit status 1 and the traceback on standard error, as there. Not for
    commands that run until stopped (`serve`, `scheduler`)."""
    from click.testing import CliRunner

    from dutyservice.cli import main

    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DUTYSERVICE_")}
    with _left_as_found():
        result = CliRunner().invoke(
            main, list(args), env=unset | settings(database_url, **env), prog_name="dutyservice"
        )
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Completed(args, result.exit_code, result.stdout, stderr)


@contextmanager
def _left_as_found() -> Iterator[None]:
    """What a command changes in its process, put back when it ends: the service's logger (the
    command sets it up to write to its own standard error, as in a process of its own), the
    environment, and the garbage collector (frozen once the command's app is built)."""
    logger = logging.getLogger("dutyservice")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    environ = dict(os.environ)
    frozen, collecting = gc.get_freeze_count(), gc.isenabled()
    logger.handlers = []
    try:
        yield
    finally:
        for handler in logger.handlers:
            handler.close()
        logger.handlers = handlers
        logger.setLevel(level)
        logger.propagate = propagate
        for key in os.environ.keys() - environ.keys():
            del os.environ[key]
        os.environ.update({k: v for k, v in environ.items() if os.environ.get(k) != v})
        if not frozen:
            gc.unfreeze()
        (gc.enable if collecting else gc.disable)()
