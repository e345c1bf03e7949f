"""The `dutyservice` console script: the command line of `cli`, started with the collector paused.

Importing the service makes hundreds of thousands of objects that live as long as the process;
collecting while they are being made frees nothing and took a sixth of the import. `cli` freezes
them and resumes collection once the app is built.
"""

from __future__ import annotations

import gc


def main(args: list[str] | None = None) -> None:
    gc.disable()
    from .cli import main as command_line

    command_line(args)
