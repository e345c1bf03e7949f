"""`python -m tests.e2e.finaliser_signal [--plain]`: SIGTERM arriving while Python runs a
finaliser, for test_scheduler_signal.py. The scheduler's way of stopping is installed (with
`--plain`, only its signal handler); an object's finaliser says so on stdout and waits, the
test sends SIGTERM then, and the main thread then waits in ordinary code."""

import signal
import sys
import time

from dutyservice.scheduler import jobs


class Collected:
    def __del__(self) -> None:
        print("collecting", flush=True)
        time.sleep(5)


if "--plain" in sys.argv:
    signal.signal(signal.SIGTERM, jobs._stop_on_sigterm)
else:
    jobs.stop_on_sigterm()
Collected()
print("collected", flush=True)
time.sleep(30)
