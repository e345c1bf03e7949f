#!/usr/bin/env python3
"""Set up and run dutyservice on a fresh machine with only Python.

python3 dev.py run    virtual environment, SQLite database, demo data, tokens, server
python3 dev.py test   virtual environment, then the test suite (SQLite, and PostgreSQL
                      when it answers on 127.0.0.1:5432)
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def setup(extras: str) -> None:
    if not (BIN / "python").exists():
        print("creating the virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    sources = [ROOT / "setup.cfg", ROOT / "pyproject.toml"]
    if stamp.exists() and all(s.stat().st_mtime <= stamp.stat().st_mtime for s in sources):
        return
    print(f"installing dutyservice[{extras}] and its dependencies", flush=True)
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.touch()


def run() -> None:
    setup("postgres")
    env = {**os.environ}
    env.setdefault("DUTYSERVICE_DATABASE_URL", "sqlite:///dutyservice.db")
    port = env.get("PORT", "5000")
    _run(BIN / "dutyservice", "db", "upgrade", env=env)
    _run(BIN / "dutyservice", "fixtures", "load", "demo", env=env)
    print(f"\nserving on http://127.0.0.1:{port}/api/v1/docs (Ctrl-C stops)", flush=True)
    os.execve(BIN / "dutyservice", [str(BIN / "dutyservice"), "serve", "--port", port], env)


def test(pytest_args: list[str]) -> None:
    setup("dev,postgres")
    completed = subprocess.run([str(BIN / "python"), "-m", "pytest", *pytest_args], cwd=ROOT)
    sys.exit(completed.returncode)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
