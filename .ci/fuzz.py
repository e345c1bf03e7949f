"""Schemathesis against the served OpenAPI document: every phase (examples, coverage, fuzzing,
stateful), a fixed seed, at least MIN_CASES generated test cases; the run fails on any 5xx or
any answer that does not conform to the document.

The service is served as in production (`dutyservice serve`, gunicorn) on a free port of
127.0.0.1, over a fresh database holding the demo data, and called with an admin token.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIN_CASES = 20_000
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped (exit status {server.returncode}) before it answered")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)  # polling a condition, with a deadline
    sys.exit(f"the server did not answer {url} within {timeout} s")


def command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "dutyservice"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def summary(report: Path) -> tuple[int, dict[str, str]]:
    """Test cases generated in the run and each phase's status, from Schemathesis' report."""
    data = json.loads(report.read_text())
    phases = {name: phase["status"] for name, phase in data["phases"].items()}
    return int(data["test_cases"]["generated"]), phases


# Two runs, each against a fresh database holding the demo data. The stateful phase runs on
# its own: its scenarios chain calls, and after 400 examples of fuzzing (which leave a hundred
# role profile versions behind) each "every force's returns" it makes is 4,300 returns; in one
# run with the other phases it had not finished after 20 minutes.
RUNS = (("examples", "coverage", "fuzzing"), ("stateful",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=20261202)
    # Measured: 2,837 cases with 5 and 4,094 with 30, so about 50 a unit over the document's 48
    # operations on top of some 2,600 from the examples and coverage phases; 400 leaves a margin
    # over 20,000 (the run fails below MIN_CASES rather than passing short).
    parser.add_argument("--max-examples", type=int, default=400, help="per operation and phase")
    parser.add_argument("--stateful-examples", type=int, default=100, help="the stateful phase's")
    parser.add_argument("--min-cases", type=int, default=MIN_CASES)
    # One worker: with a fixed seed the run is then the same every time, and CPython 3.11's ast
    # module (which Hypothesis uses to describe strategies) is not safe across threads.
    parser.add_argument("--workers", default="1")
    parser.add_argument("--keep-report", type=Path, help="copy Schemathesis' JSON reports here")
    arguments = parser.parse_args()

    cases, failed = 0, False
    statuses: dict[str, str] = {}
    for phases in RUNS:
        examples = (
            arguments.stateful_examples if phases == ("stateful",) else arguments.max_examples
        )
        run_cases, run_statuses, run_failed = fuzz(phases, examples, arguments)
        cases += run_cases
        statuses |= {name: run_statuses.get(name, "missing") for name in phases}
        failed = failed or run_failed
    print(f"fuzz: {cases} generated test cases (at least {arguments.min_cases} wanted)")
    print("fuzz: phases " + ", ".join(f"{name} {status}" for name, status in statuses.items()))
    if failed:
        sys.exit("fuzz: schemathesis found a 5xx or an answer the document does not describe")
    if cases < arguments.min_cases:
        sys.exit(f"fuzz: only {cases} test cases; raise --max-examples")
    unfinished = sorted(name for name, status in statuses.items() if status != "success")
    if unfinished:
        sys.exit(f"fuzz: phases that did not complete: {', '.join(unfinished)}")


def fuzz(
    phases: tuple[str, ...], examples: int, arguments: argparse.Namespace
) -> tuple[int, dict[str, str], bool]:
    """One Schemathesis run of `phases` against a new server: cases, each phase's status, and
    whether any check failed."""
    # In memory where the machine has it: the run makes thousands of quarterly returns, each
    # two files written and fsynced, and what is checked is the answers, not durability.
    memory = Path("/dev/shm")
    where = str(memory) if memory.is_dir() and os.access(memory, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="dutyservice-fuzz-", dir=where) as scratch:
        work = Path(scratch)
        env = {
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": f"sqlite:///{work / 'fuzz.db'}",
            "DUTYSERVICE_EXPORT_DIR": str(work / "exports"),
            "DUTYSERVICE_NPOCC_FEED_URL": "",
            "DUTYSERVICE_LOG_LEVEL": "ERROR",
        }
        command(env, "db", "upgrade")
        command(env, "fixtures", "load", "demo")
        token = command(env, "token", "create", "--role", "admin", "--label", "fuzz")
        token = token.strip().splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(BIN / "dutyservice"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        report = work / "report.json"
        try:
            wait_until_ready(f"{base}/readyz", server)
            run = subprocess.run(
                [
                    str(BIN / "st"),
                    "run",
                    f"{base}/api/v1/openapi.json",
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--phases",
                    ",".join(phases),
                    "--checks",
                    CHECKS,
                    "--max-examples",
                    str(examples),
                    "--seed",
                    str(arguments.seed),
                    "--workers",
                    arguments.workers,
                    "--suppress-health-check",
                    "all",
                    "--continue-on-failure",
                    "--no-shrink",
                    "--request-timeout",
                    "120",  # making every force's return at once takes seconds on a busy machine
                    "--report",
                    "json",
                    "--report-json-path",
                    str(report),
                ],
                cwd=work,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        if arguments.keep_report:
            arguments.keep_report.mkdir(parents=True, exist_ok=True)
            target = arguments.keep_report / f"report-{'-'.join(phases)}.json"
            target.write_bytes(report.read_bytes())
        cases, statuses = summary(report)
        return cases, statuses, run.returncode != 0


if __name__ == "__main__":
    main()
