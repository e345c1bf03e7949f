"""The `dutyservice` console script: the command line of `cli`, started with the collector
paused (see `collector`)."""

from __future__ import annotations

from .collector import pause_for_start_up


def main(args: list[str] | None = None) -> None:
    pause_for_start_up()
    from .cli import main as command_line

    command_line(args)
