"""One `dutyservice` command in a new process, with the garbage collector handled one of three
ways, for bench/collector.py:

    python -m bench.collector_child shipped|after-import|untouched ARGS...

- shipped: as the console script does it (paused while importing, start-up frozen once the
  app is built, by `cli`);
- after-import: paused while importing, frozen before the command builds its app;
- untouched: the collector left alone.
"""

from __future__ import annotations

import gc
import sys


def main(variant: str, args: list[str]) -> None:
    if variant == "shipped":
        from dutyservice.console import main as console

        console(args)
        return
    if variant == "after-import":
        gc.disable()
        import dutyservice.cli  # noqa: F401

        gc.freeze()
        gc.enable()
    # From here on, `cli` freezing what the app built is what is left out.
    gc.freeze = lambda: None
    from dutyservice.cli import main as command_line

    command_line(args)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
