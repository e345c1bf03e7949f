"""The deployable rule (FEED.md) over a window, written by hand with PostgreSQL multiranges.

The benchmark's floor for `GET /api/v1/deployable`, and a second, independent statement of the
rule: tests/integration/test_deployable_agrees_with_multiranges.py holds the API's answer to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, text

from dutyservice.ips import queries
from dutyservice.ips.rules import ProfileRequirements

_STATEMENT = """
SELECT o.id, f.code, o.warrant_number, o.rank, o.base_location,
       (SELECT max(t.expires_on) FROM training_records t
        WHERE t.officer_id = o.id AND t.kind = 'ost'
          AND t.completed_on <= :last AND t.expires_on >= :last) AS ost_expires_on
FROM officers o JOIN forces f ON f.id = o.force_id
WHERE o.joined_on <= :first AND (o.left_on IS NULL OR o.left_on > :last) {force}
  AND (SELECT range_agg(daterange(g.granted_on, g.withdrawn_on)) FROM ips_grants g
       WHERE g.officer_id = o.id) @> daterange(:first, :after_last)
  {ost}
  AND (SELECT count(*) FROM (
         SELECT c.unit_code FROM competency_records c WHERE c.officer_id = o.id
         GROUP BY c.unit_code
         HAVING range_agg(daterange(c.attained_on, c.revoked_on)) @> daterange(:first, :after_last)
       ) held WHERE held.unit_code IN :units) = :unit_count
  AND NOT EXISTS (SELECT 1 FROM duties d WHERE d.officer_id = o.id
                  AND d.status IN ('booked', 'completed')
                  AND d.starts_at < :ends_at AND d.ends_at > :starts_at)
ORDER BY f.code, o.warrant_number COLLATE "C"
"""

_OST = """AND (SELECT range_agg(daterange(t.completed_on, t.expires_on + 1)) FROM training_records t
       WHERE t.officer_id = o.id AND t.kind = 'ost') @> daterange(:first, :after_last)"""


def deployable_statement(profile: ProfileRequirements, one_force: bool) -> TextClause:
    """Who meets `profile` on every day of the window, serving and free of duties."""
    sql = _STATEMENT.format(
        force="AND f.code = :force" if one_force else "",
        ost=_OST if profile.requires_current_ost else "",
    )
    return text(sql).bindparams(bindparam("units", expanding=True))


def deployable_parameters(
    profile: ProfileRequirements, starts: datetime, ends: datetime, force: str | None
) -> dict[str, Any]:
    """The service's parameters for the window (queries.deployable_parameters), the force by
    its code, and the profile's units."""
    return {
        **queries.deployable_parameters(starts, ends),
        "force": force,
        "units": list(profile.required_units),
        "unit_count": len(profile.required_units),
    }
