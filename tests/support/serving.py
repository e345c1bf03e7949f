"""A server of the tests' own (an HTTP stand-in for another party) on a thread of its own."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: How often the serving thread looks whether it is asked to stop. The standard library's half
#: second was the stop's wait: half a second at the end of every test that had a server.
POLL_SECONDS = 0.02


@contextmanager
def on_a_thread(server: socketserver.BaseServer) -> Iterator[None]:
    """`server` answering until the block ends; then stopped and its socket closed."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
