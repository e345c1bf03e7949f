"""The import files, read a row at a time (memory does not grow with the rows)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .rules import COLUMNS

Row = dict[str, str | None]


@dataclass(frozen=True, order=True)
class RowError:
    """`file:line: column: reason`, ordered as the files are read (within a row, as found)."""

    file_order: int
    line: int
    column: str = field(compare=False)
    reason: str = field(compare=False)
    file: str = field(compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


def row_error(file: str, line: int, column: str, reason: str) -> RowError:
    return RowError(list(COLUMNS).index(file), line, column, reason, file)


class SourceFile:
    """One CSV file of the set: its rows with their line numbers; faults in `errors`."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.path = directory / name
        self.errors: list[RowError] = []

    @property
    def present(self) -> bool:
        return self.path.is_file()

    def rows(self) -> Iterator[tuple[int, Row]]:
        if not self.present:
            return
        with self.path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            try:
                header = [name.strip() for name in next(reader, [])]
                if not self._header_fits(header):
                    return
                for values in reader:
                    if not any(value.strip() for value in values):
                        continue
                    if len(values) != len(header):
                        self._refuse(
                            reader.line_num, "-", f"{len(values)} fields, not {len(header)}"
                        )
                        continue
                    yield reader.line_num, dict(zip(header, values, strict=True))
            except UnicodeDecodeError:
                self._refuse(reader.line_num + 1, "-", "is not UTF-8 text")
            except csv.Error as exc:
                self._refuse(reader.line_num, "-", f"is not CSV: {exc}")

    def _header_fits(self, header: list[str]) -> bool:
        expected = COLUMNS[self.name]
        for column in expected:
            if column not in header:
                self._refuse(1, column, "is missing from the header row")
        for column in header:
            if column not in expected:
                self._refuse(1, column or "-", "is not a column of this file")
        if len(set(header)) != len(header):
            self._refuse(1, "-", "a column is named twice")
        return not self.errors

    def _refuse(self, line: int, column: str, reason: str) -> None:
        self.errors.append(row_error(self.name, line, column, reason))
