"""The pages of supervisors, authorisers, planners, NPoCC and admins, registered on the pages'
blueprint: events and call-outs, officers' records, readiness as CSV, returns' making and
files, and the audit trail."""

from __future__ import annotations

from . import audit_pages, event_form, officer_edit, officer_pages, readiness_csv, return_making

__all__ = [
    "audit_pages",
    "event_form",
    "officer_edit",
    "officer_pages",
    "readiness_csv",
    "return_making",
]
