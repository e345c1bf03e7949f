"""`dutyservice export --quarter Q`, by the console script's own entry point, in the process the
benchmark starts for it; reports the process's peak memory.

    python -m bench.export_command 2026-Q3

The peak is the process's own high-water mark (VmHWM, reset at exec): ru_maxrss would carry
the benchmark's peak across fork, and the benchmark has just loaded the data set.
"""

from __future__ import annotations

import sys


def peak_kb() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1])


def main(quarter: str) -> None:
    from dutyservice.console import main as dutyservice

    try:
        dutyservice(["export", "--quarter", quarter])
    finally:
        print("FIGURE peak_kb", peak_kb(), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
