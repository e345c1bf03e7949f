"""The import files, read a row at a time: memory grows neither with the rows nor with the length
of a line (a record longer than LONGEST_RECORD is refused before the rest of it is read)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .rules import COLUMNS

Row = dict[str, str | None]

#: The most characters a record (a line, or the lines of one with a quoted line break) may hold,
#: and so any field of it: 64 KiB.
LONGEST_RECORD = 64 * 1024
TOO_LONG = f"the record is longer than {LONGEST_RECORD} characters; the file is read no further"


class RecordTooLong(Exception):
    """A record passed LONGEST_RECORD; what was read of it is all that was read."""


class _BoundedLines:
    """The stream's lines for csv.reader, holding at most LONGEST_RECORD characters of a record:
    a longer one raises RecordTooLong having read one character past the bound, not the rest."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._held = 0  # characters of the current record given so far
        self._given = 0  # lines given so far
        #: The line the current record begins on (a quoted line break carries it over more).
        self.record_line = 1

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = self._stream.readline(LONGEST_RECORD + 1 - self._held)
        if not line:
            raise StopIteration
        self._held += len(line)
        if self._held > LONGEST_RECORD:
            raise RecordTooLong
        self._given += 1
        return line

    def next_record(self) -> None:
        self._held = 0
        self.record_line = self._given + 1


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
            lines = _BoundedLines(stream)
            reader = csv.reader(lines)
            try:
                header = [name.strip() for name in next(reader, [])]
                lines.next_record()
                if not self._header_fits(header):
                    return
                for values in reader:
                    line = lines.record_line
                    lines.next_record()  # the one just read is whole: count the next afresh
                    if not any(value.strip() for value in values):
                        continue
                    if len(values) != len(header):
                        self._refuse(line, "-", f"{len(values)} fields, not {len(header)}")
                        continue
                    yield line, dict(zip(header, values, strict=True))
            except RecordTooLong:
                self._refuse(lines.record_line, "-", TOO_LONG)
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
