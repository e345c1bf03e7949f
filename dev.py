#!/usr/bin/env python3
"""Set up and run dutyservice on a fresh machine with only Python.

python3 dev.py run     virtual environment, SQLite database, demo data, tokens, server
python3 dev.py test    virtual environment, then the test suite (SQLite, and PostgreSQL
                       when it answers on 127.0.0.1:5432) on pytest-xdist's workers, but for
                       the tests marked `ci`; --all runs those too, as CI does
python3 dev.py lock    compile requirements/*.txt (pinned, with hashes) from setup.cfg;
                       --upgrade moves every pin to the newest release in range
python3 dev.py audit   pip-audit over the lock: a known vulnerability fails; no network
                       is a warning

The virtual environment is installed from the lock, never from setup.cfg's ranges.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
REQUIREMENTS = ROOT / "requirements"
# extras of setup.cfg -> the lock that installs them (dev.txt holds every pin of app.txt)
# pytest-xdist's workers for `test`: the tests wait on servers, browsers and subprocesses, so a
# third worker keeps both cores busy; each worker starts servers that hold PostgreSQL
# connections (31 at most with three; docs/testing.md)
TEST_WORKERS = 3
LOCKS = {"postgres": REQUIREMENTS / "app.txt", "dev,postgres": REQUIREMENTS / "dev.txt"}


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def setup(extras: str) -> None:
    if not (BIN / "python").exists():
        print("creating the virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = LOCKS[extras]
    stamp = VENV / f".installed-{extras}"
    sources = [lock, ROOT / "setup.cfg", ROOT / "pyproject.toml"]
    if stamp.exists() and all(s.stat().st_mtime <= stamp.stat().st_mtime for s in sources):
        return
    print(f"installing dutyservice[{extras}] from {lock.relative_to(ROOT)}", flush=True)
    pip = (BIN / "python", "-m", "pip", "install", "--quiet")
    _run(*pip, "--require-hashes", "-r", lock)
    _run(*pip, "--no-deps", "-e", ".")
    stamp.touch()


def run() -> None:
    setup("postgres")
    env = {**os.environ}
    env.setdefault("DUTYSERVICE_DATABASE_URL", "sqlite:///dutyservice.db")
    port = env.get("PORT", "5000")
    _run(BIN / "dutyservice", "db", "upgrade", env=env)
    _run(BIN / "dutyservice", "fixtures", "load", "demo", env=env)
    print(
        f"\nthe pages: http://127.0.0.1:{port}/app/ (sign in with a token above)"
        f"\nthe API:   http://127.0.0.1:{port}/api/v1/docs\n(Ctrl-C stops)",
        flush=True,
    )
    os.execve(BIN / "dutyservice", [str(BIN / "dutyservice"), "serve", "--port", port], env)


def test_tools() -> None:
    """The browser tests' own tools from npm (axe-core), as the lock names them."""
    if (ROOT / "node_modules" / "axe-core" / "axe.min.js").exists():
        return
    print("installing the browser tests' tools with npm ci", flush=True)
    _run("npm", "ci", "--no-audit", "--no-fund")


def parallel(pytest_args: list[str]) -> list[str]:
    """pytest-xdist's workers, unless the arguments say how many (`-n 0`: none)."""
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) for arg in pytest_args):
        return []
    return ["-n", str(TEST_WORKERS)]


def selection(pytest_args: list[str]) -> list[str]:
    """Without `--all` (as CI runs) the tests marked `ci` are left out; `-m` chooses instead."""
    if "--all" in pytest_args or any(arg.startswith("-m") for arg in pytest_args):
        return [arg for arg in pytest_args if arg != "--all"]
    return ["-m", "not ci", *pytest_args]


def test(pytest_args: list[str]) -> None:
    setup("dev,postgres")
    test_tools()
    pytest_args = selection(pytest_args)
    command = [str(BIN / "python"), "-m", "pytest", *parallel(pytest_args), *pytest_args]
    completed = subprocess.run(command, cwd=ROOT, env=test_environment())
    sys.exit(completed.returncode)


def test_environment() -> dict[str, str]:
    """Compiled bytecode kept in the virtual environment, not beside the sources.

    Where Python may not write bytecode (PYTHONDONTWRITEBYTECODE), each of the run's processes
    compiles the sources again: every worker rewrites and compiles every test module (5 s of
    processor time, 2.3 s from bytecode), and each of the two hundred servers and commands the
    tests start compiles the service (0.85 s to start, 0.77 s from bytecode)."""
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(VENV / "pycache"))
    return env


def lock(options: list[str]) -> None:
    """The development lock first; the application's is held to the same pins."""
    setup("dev,postgres")
    env = {**os.environ, "CUSTOM_COMPILE_COMMAND": "python3 dev.py lock"}
    common = (
        *("--quiet", "--generate-hashes", "--allow-unsafe", "--strip-extras"),
        *("--no-emit-index-url", "--no-emit-trusted-host", "--no-emit-find-links"),
        *options,
    )
    compile_ = (BIN / "python", "-m", "piptools", "compile", *common)
    # Relative paths: they are written into the lock's comments.
    dev, app = (
        LOCKS[extras].relative_to(ROOT).as_posix() for extras in ("dev,postgres", "postgres")
    )
    _run(*compile_, "--extra", "dev", "--extra", "postgres", "-o", dev, "setup.cfg", env=env)
    _run(*compile_, "--extra", "postgres", "-c", dev, "-o", app, "setup.cfg", env=env)
    print(f"wrote {app} and {dev}")


def audit() -> None:
    """Known vulnerabilities in the lock (dev.txt holds every pin) fail; no answer warns."""
    setup("dev,postgres")
    report = VENV / "pip-audit.json"
    report.unlink(missing_ok=True)
    lock = LOCKS["dev,postgres"]
    completed = subprocess.run(
        [
            str(BIN / "pip-audit"),
            "--disable-pip",
            "--require-hashes",
            "-r",
            str(lock),
            "--progress-spinner",
            "off",
            "-f",
            "json",
            "-o",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if not report.exists():  # it could not ask the vulnerability service: not a finding
        reason = (completed.stderr.strip().splitlines() or ["no answer"])[-1]
        print(f"warning: pip-audit could not check the lock: {reason}", file=sys.stderr)
        return
    findings = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or '-'})"
        for d in json.loads(report.read_text())["dependencies"]
        for v in d.get("vulns", [])
    ]
    for line in findings:
        print(line)
    if findings or completed.returncode != 0:
        sys.exit(f"pip-audit: {len(findings)} known vulnerabilities in {lock.relative_to(ROOT)}")
    print(f"pip-audit: no known vulnerabilities in {lock.relative_to(ROOT)}")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "lock":
        lock(sys.argv[2:])
    elif command == "audit":
        audit()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
