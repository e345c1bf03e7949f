"""STYLE.md: no function in the service over 50 lines, so that each reads at a glance."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "dutyservice"
LONGEST = 50


def function_lengths(path: Path) -> list[tuple[str, int]]:
    """Every function and method of the module (nested ones too), with its length in lines
    from its first decorator or `def` to its last line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            found.append((f"{node.name}:{node.lineno}", node.end_lineno - first + 1))
    return found


def test_the_reader_measures_a_function_from_its_decorator_to_its_last_line(
    tmp_path: Path,
) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "@cache\ndef f():\n    a = 1\n\n    return a\n\n\n"
        "class C:\n    def g(self):\n        pass\n"
    )
    assert sorted(function_lengths(module)) == [("f:2", 5), ("g:9", 2)]


def test_no_function_in_the_service_is_over_fifty_lines() -> None:
    too_long = [
        f"{path.relative_to(PACKAGE)}:{name} ({length} lines)"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, length in function_lengths(path)
        if length > LONGEST
    ]
    assert not too_long, too_long
