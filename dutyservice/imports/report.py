"""What an import did, file by file, and the summary line it ends with."""

from __future__ import annotations

from dataclasses import dataclass, field

from .rules import FILES
from .source import RowError


@dataclass
class FileCounts:
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    conflicts: int = 0
    refused: int = 0

    @property
    def rows(self) -> int:
        return self.added + self.unchanged + self.updated + self.conflicts + self.refused


@dataclass
class ImportReport:
    name: str
    dry_run: bool
    counts: dict[str, FileCounts] = field(default_factory=lambda: {f: FileCounts() for f in FILES})
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[RowError] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.errors and not self.dry_run

    def summary(self) -> str:
        """One line: per file, rows added (or to add), unchanged, updated, conflicts, refused."""
        added = "added" if self.written else "to add"
        parts = [
            f"{name} {c.added} {added}, {c.unchanged} unchanged, {c.updated} updated, "
            f"{c.conflicts} conflicts, {c.refused} refused"
            for name, c in self.counts.items()
        ]
        if self.errors:
            state = f"refused, nothing written ({len(self.errors)} errors)"
        elif self.dry_run:
            state = "dry run, nothing written"
        elif any(c.added or c.updated for c in self.counts.values()):
            state = "imported"
        else:
            state = "imported, nothing new"
        return f"{self.name}: {state}: " + "; ".join(parts)
