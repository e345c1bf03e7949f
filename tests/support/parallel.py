"""How a parallel run (pytest-xdist) hands tests to its workers: one by one, except that the
tests of one module of tests/e2e on one database go to one worker together. Those modules start
servers for their tests (`dutyservice serve`, over an unguarded database for the negative
controls), and each server holds PostgreSQL connections, of which the server allows a limited
number to every worker at once: grouped, each is started once per run, as in one process."""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

SERVED = "tests/e2e/"


def work_unit(nodeid: str) -> str:
    """The test's own id, or for a test of tests/e2e its module and database."""
    if not nodeid.startswith(SERVED):
        return nodeid
    module = nodeid.split("::", 1)[0]
    database = next((d for d in ("sqlite", "postgresql") if f"[{d}" in nodeid), "")
    return f"{module} {database}"


class ServersOnce(LoadScopeScheduling):  # type: ignore[misc]  # untyped upstream
    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)
