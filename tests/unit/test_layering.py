"""The domain rules know nothing of Flask or SQLAlchemy (STYLE.md)."""

import subprocess
import sys

import pytest

PURE_MODULES = [
    "dutyservice.clock",
    "dutyservice.errors",
    "dutyservice.duties.rules",
    "dutyservice.ips.rules",
    "dutyservice.auth.scope",
    "dutyservice.auth.tokens",
    "dutyservice.npocc.rules",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_rule_module_imports_neither_flask_nor_sqlalchemy(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
