"""The NPoCC role-profile return, feed format 1 (FEED.md), as plain values and bytes.

Nothing here reads the clock or the database: the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..clock import Quarter
from ..duties.rules import hours_of
from ..ips.rules import ProfileRequirements, Signatory

FORMAT = "npocc-role-profile-return"
FORMAT_VERSION = 1
COLUMNS = (
    "return_id",
    "force_code",
    "mercury_ref",
    "profile_version",
    "specialism",
    "period_start",
    "period_end",
    "officer_ref",
    "rank",
    "base_location",
    "ips_granted_on",
    "ips_authorised_by",
    "qualifying_units",
    "ost_expires_on",
    "duties_in_period",
    "duty_hours_in_period",
)


@dataclass(frozen=True)
class ReturnKey:
    force_code: str
    mercury_ref: int
    version: int
    quarter: Quarter

    def return_id(self, revision: int) -> str:
        """`{force_code}-{mercury_ref}v{version}-{yyyy}Q{n}-r{revision}`"""
        return (
            f"{self.force_code}-{self.mercury_ref}v{self.version}-{self.quarter.compact}"
            f"-r{revision}"
        )


@dataclass(frozen=True)
class Profile(ProfileRequirements):
    """A role profile version as the return names it: its requirements and its specialism."""

    specialism: str


@dataclass(frozen=True)
class OfficerLine:
    """One officer in the return, as the database gives it."""

    warrant_number: str
    rank: str
    base_location: str
    ips_granted_on: date
    ips_authorised_by: str
    ost_expires_on: date | None
    duties_in_period: int
    duty_seconds_in_period: int


# FEED.md's CSV is RFC 4180 (comma, CRLF, a field quoted only when it must be, quotes
# doubled): exactly Python's `excel` dialect.
RFC4180 = csv.excel


def csv_lines(
    key: ReturnKey, revision: int, profile: Profile, officers: Iterable[OfficerLine]
) -> Iterator[bytes]:
    """The CSV, line by line as UTF-8 bytes (no BOM), header first, in the order given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=RFC4180)

    def line(values: Iterable[Any]) -> bytes:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    yield line(COLUMNS)
    fixed = (
        key.return_id(revision),
        key.force_code,
        profile.mercury_ref,
        profile.version,
        profile.specialism,
        key.quarter.first_day.isoformat(),
        key.quarter.last_day.isoformat(),
    )
    units = ";".join(profile.required_units)
    for officer in officers:
        ost = (
            officer.ost_expires_on.isoformat()
            if (profile.requires_current_ost and officer.ost_expires_on)
            else ""
        )
        yield line(
            (
                *fixed,
                f"{key.force_code}-{officer.warrant_number}",
                officer.rank,
                officer.base_location,
                officer.ips_granted_on.isoformat(),
                officer.ips_authorised_by,
                units,
                ost,
                officer.duties_in_period,
                duty_hours(officer.duty_seconds_in_period),
            )
        )


def duty_hours(seconds: int) -> str:
    return f"{hours_of(timedelta(seconds=seconds)):.2f}"


@dataclass(frozen=True)
class CsvFacts:
    filename: str
    size: int
    sha256: str
    record_count: int
    total_duty_seconds: int


def manifest_bytes(
    *,
    key: ReturnKey,
    revision: int,
    supersedes: str | None,
    force_name: str,
    profile: Profile,
    host: Signatory | None,
    npocc: Signatory | None,
    generated_at: datetime,
    facts: CsvFacts,
) -> bytes:
    """The manifest JSON, keys in FEED.md's order."""
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "return_id": key.return_id(revision),
        "revision": revision,
        "supersedes": supersedes,
        "force": {"code": key.force_code, "name": force_name},
        "role_profile": {
            "mercury_ref": profile.mercury_ref,
            "version": profile.version,
            "specialism": profile.specialism,
            "required_units": list(profile.required_units),
            "requires_current_ost": profile.requires_current_ost,
        },
        "host_force_authorisation": host.as_json() if host else None,
        "npocc_authorisation": npocc.as_json() if npocc else None,
        "period": {
            "quarter": str(key.quarter),
            "start": key.quarter.first_day.isoformat(),
            "end": key.quarter.last_day.isoformat(),
        },
        "as_at": key.quarter.last_day.isoformat(),
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "record_count": facts.record_count,
        "total_duty_hours": duty_hours(facts.total_duty_seconds),
        "csv": {"filename": facts.filename, "bytes": facts.size, "sha256": facts.sha256},
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class HashingWriter:
    """Counts and hashes what is written through it."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw = raw
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.raw.write(data)
        self._hash.update(data)
        self.size += len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def total_hours(seconds: int) -> Decimal:
    return hours_of(timedelta(seconds=seconds))
