"""What the OpenAPI document says beyond the schemas: an operationId that reads as what each
operation does, and a description for every field and parameter (units, formats).

Kept in one place so that one field name means one thing across the API; a field's own
`metadata={"description": ...}` wins over the glossary. tests/api/test_openapi_document.py
fails when an operation, field or parameter is left without one.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec import BasePlugin

from .formats import FEED_TEXT, HEADER_TEXT

# (method, path) -> operationId, as a generated client names its functions.
OPERATION_IDS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/forces"): "list_forces",
    ("patch", "/api/v1/forces/{code}"): "change_force_settings",
    ("put", "/api/v1/forces/{code}/role-profiles/{mercury_ref}/{version}/authorisation"): (
        "set_profile_authorisation"
    ),
    ("get", "/api/v1/role-profiles"): "list_role_profiles",
    ("post", "/api/v1/role-profiles"): "create_role_profile",
    ("get", "/api/v1/competencies"): "list_units",
    ("get", "/api/v1/officers"): "list_officers",
    ("post", "/api/v1/officers"): "create_officer",
    ("get", "/api/v1/officers/{officer_id}"): "get_officer",
    ("patch", "/api/v1/officers/{officer_id}"): "edit_officer",
    ("post", "/api/v1/officers/{officer_id}/leave"): "record_leaving",
    ("get", "/api/v1/officers/{officer_id}/hours"): "get_officer_hours",
    ("get", "/api/v1/officers/{officer_id}/availability"): "get_availability",
    ("put", "/api/v1/officers/{officer_id}/availability"): "set_availability",
    ("get", "/api/v1/officers/{officer_id}/competencies"): "list_competencies",
    ("post", "/api/v1/officers/{officer_id}/competencies"): "record_competency",
    ("post", "/api/v1/officers/{officer_id}/competencies/{unit}/revoke"): "revoke_competency",
    ("get", "/api/v1/officers/{officer_id}/training"): "list_training",
    ("post", "/api/v1/officers/{officer_id}/training"): "record_training",
    ("get", "/api/v1/officers/{officer_id}/ips"): "get_ips_status",
    ("post", "/api/v1/officers/{officer_id}/ips"): "grant_ips",
    ("post", "/api/v1/officers/{officer_id}/ips/withdraw"): "withdraw_ips",
    ("get", "/api/v1/officers/{officer_id}/ips/grants"): "list_ips_grants",
    ("get", "/api/v1/officers/{officer_id}/history"): "get_officer_history",
    ("get", "/api/v1/officers/{officer_id}/export"): "export_officer_data",
    ("post", "/api/v1/officers/{officer_id}/calendar-key"): "make_calendar_key",
    ("get", "/api/v1/officers/{officer_id}/calendar.ics"): "get_calendar_feed",
    ("get", "/api/v1/duties"): "list_duties",
    ("post", "/api/v1/duties"): "book_duty",
    ("get", "/api/v1/duties/{duty_id}"): "get_duty",
    ("patch", "/api/v1/duties/{duty_id}"): "change_duty",
    ("post", "/api/v1/duties/{duty_id}/cancel"): "cancel_duty",
    ("post", "/api/v1/duties/{duty_id}/complete"): "complete_duty",
    ("get", "/api/v1/deployable"): "list_deployable",
    ("get", "/api/v1/events"): "list_events",
    ("post", "/api/v1/events"): "create_event",
    ("get", "/api/v1/events/{event_id}"): "get_event",
    ("get", "/api/v1/events/{event_id}/signups"): "list_signups",
    ("post", "/api/v1/events/{event_id}/signups"): "sign_up",
    ("delete", "/api/v1/events/{event_id}/signups/{officer_id}"): "withdraw_signup",
    ("post", "/api/v1/events/{event_id}/signups/{officer_id}/release"): "release_signup",
    ("post", "/api/v1/events/{event_id}/signups/{officer_id}/decline"): "decline_signup",
    ("get", "/api/v1/events/{event_id}/aid"): "get_event_aid",
    ("get", "/api/v1/signups"): "list_force_signups",
    ("get", "/api/v1/reports/hours"): "get_team_hours",
    ("get", "/api/v1/reports/expiring"): "list_expiring_training",
    ("get", "/api/v1/npocc/returns"): "list_returns",
    ("post", "/api/v1/npocc/returns"): "make_returns",
    ("get", "/api/v1/npocc/returns/{return_pk}"): "get_return",
    ("get", "/api/v1/npocc/returns/{return_pk}/feed.csv"): "get_return_feed_csv",
    ("get", "/api/v1/npocc/returns/{return_pk}/manifest.json"): "get_return_manifest",
    ("post", "/api/v1/npocc/returns/{return_pk}/deliver"): "deliver_return",
    ("get", "/api/v1/npocc/returns/requests/{request_pk}"): "get_return_request",
    ("get", "/api/v1/audit"): "list_audit_entries",
    ("get", "/api/v1/notifications"): "list_notifications",
    ("get", "/api/v1/learning-programme"): "get_learning_programme",
    ("post", "/api/v1/officers/{officer_id}/learning"): "record_stage",
    ("get", "/api/v1/officers/{officer_id}/learning"): "get_learning_status",
    ("post", "/api/v1/officers/{officer_id}/learning/{record_id}/revoke"): "revoke_stage",
    ("put", "/api/v1/forces/{code}/minimum-hours"): "set_minimum_hours",
    ("get", "/api/v1/push/key"): "get_push_key",
    ("get", "/api/v1/officers/{officer_id}/push-subscriptions"): "list_push_subscriptions",
    ("post", "/api/v1/officers/{officer_id}/push-subscriptions"): "add_push_subscription",
    ("delete", "/api/v1/officers/{officer_id}/push-subscriptions/{subscription_id}"): (
        "remove_push_subscription"
    ),
}

PATH_PARAMETERS = {
    "officer_id": "The officer's id, as assigned by the service.",
    "duty_id": "The duty's id, as assigned by the service.",
    "event_id": "The event's id, as assigned by the service.",
    "return_pk": "The return's `id` (not its `return_id`), as assigned by the service.",
    "request_pk": "The request's `id`, as the 202 answer's `Location` names it.",
    "code": "The force's code: its data.police.uk identifier, e.g. `cambridgeshire`.",
    "mercury_ref": "The role profile's Mercury reference, e.g. 135.",
    "version": "The role profile's version, e.g. 1.",
    "unit": "A National Occupational Standard unit code, e.g. `CD5`.",
    "record_id": "The stage record's id, as assigned by the service.",
    "subscription_id": "The push subscription's id, as assigned by the service.",
}

_DAY = "A Europe/London calendar day, YYYY-MM-DD"
_INSTANT = "An instant, returned in UTC with `Z`; sent as RFC 3339 with an offset"
# A field's meaning wherever it appears, unless FIELDS_BY_SCHEMA or the field itself says more.
FIELDS: dict[str, str] = {
    "stage": "A stage of the learning programme (SCLP): `APS`, `DPS` or `QSC`.",
    "area": "A QSC's core area: `response`, `communities`, `roads`, `intelligence` or "
    "`investigations`; null for APS and DPS.",
    "from_month": "The first Europe/London month, YYYY-MM, from which the minimum is in force.",
    "qsc_areas": "The core areas in which the officer holds QSC that day.",
    "records": "Every stage record of the officer, revoked ones included, oldest first.",
    "stages": "The stages of the learning programme in order, with their titles.",
    "areas": "The five core areas in which a QSC is awarded, with their titles.",
    "follows_sclp": "The force follows the learning programme: its pages say personal safety "
    "training (PST) for what the API calls `ost`.",
    "months_in_stage": "Readiness lists officers at APS or DPS for longer than this many "
    "months (12 by default).",
    "makes_returns": "The quarter's NPoCC returns include the force (the 43 territorial forces "
    "by default).",
    "action": "What was done, e.g. `duty.booked`, `ips.granted`.",
    "actual_ends_at": f"{_INSTANT}. When the duty really ended; null until completed.",
    "actual_starts_at": f"{_INSTANT}. When the duty really started; null until completed.",
    "assessed_by": "Who assessed the unit (name and role, free text).",
    "at": f"{_INSTANT}. When the change was recorded.",
    "attained_on": f"{_DAY}: the unit is held from this day.",
    "authorised_by": "The authorising officer of the grant: name, rank and position.",
    "base_location": "The station or area the officer is based at.",
    "by_force": "Officers deployable in the window, counted by force code (the whole answer, "
    "not only this page).",
    "capacity": "How many officers may sign up, 1-10,000.",
    "changes": "The fields changed, with their new values (no secrets, no personal contact "
    "details).",
    "code": "Short code.",
    "completed_on": f"{_DAY}: when the training was completed.",
    "date_authorised": f"{_DAY}: when the authorising officer signed.",
    "delivered_at": f"{_INSTANT}. When the feed accepted the return; null until delivered.",
    "delivery_attempts": "How many times the return has been sent to the feed.",
    "deployable": "Serving, IPS granted and every requirement of the profile met on the day.",
    "description": "Free text shown to officers.",
    "detail": "What went wrong with this request, in words for a person.",
    "duty_id": "The id of the duty booked by the sign-up.",
    "duty_type": "One of the force's duty types: at least `patrol`, `event`, `training`, `admin`.",
    "ends_at": f"{_INSTANT}. The end (exclusive).",
    "equipment": "Equipment an officer in this role profile carries (free text items).",
    "errors": "Field errors: the field's name (dotted for nested members, e.g. "
    "`authorised_by.name`) and its messages.",
    "event_id": "The event's id.",
    "evidence_ref": "Where the assessment's evidence is kept (a reference, free text).",
    "expires_on": f"{_DAY}: the training is current up to and including this day.",
    "force": "The force's code (data.police.uk identifier), e.g. `cambridgeshire`.",
    "force_id": "The internal id of the force the change concerns, if any.",
    "forenames": "The officer's forenames (personal data: never in a return).",
    "from": "The start of the range.",
    "generated_at": f"{_INSTANT}. When the return's files were made.",
    "granted": "An IPS grant is in force on the day (granted on or before it, not withdrawn).",
    "granted_on": f"{_DAY}: when IPS was granted.",
    "host_force_authorisation": "The host force's authorising officer named in the manifest, "
    "or null.",
    "hours": "Real elapsed hours (a duty over a clock change counts its real length), two "
    "decimals.",
    "id": "The id assigned by the service.",
    "items": "The entries of this answer.",
    "joined_on": f"{_DAY}: the officer serves from this day.",
    "kind": "The kind of training: `ost` (officer safety training).",
    "last_error": "The feed's last refusal or the connection error, for an operator; null when "
    "none.",
    "left_on": f"{_DAY}: the officer serves until the day before; null while serving.",
    "location": "Where the duty or event takes place (free text).",
    "mercury_ref": "The NPoCC Mercury reference of the role profile, e.g. 135.",
    "minimum": "The force's minimum hours for a month.",
    "missing": "Each requirement of the role profile not met on the day, e.g. `CD5`, `ost`, `ips`.",
    "month": "A Europe/London calendar month, YYYY-MM.",
    "monthly_minimum_hours": "Hours a Special is expected to give each month, 0-744.",
    "name": "The person's name.",
    "notes": "Free text notes.",
    "npocc_authorisation": "NPoCC's authorising officer named in the manifest, or null.",
    "officer_id": "The officer's id.",
    "officer_ref": "`{force}-{warrant_number}`: how a return names the officer, stable across "
    "quarters.",
    "on": f"{_DAY}: the day asked about.",
    "open_to": "Who may sign up: `force` (the host force's Specials), `region` (its mutual-aid "
    "region) or `national`.",
    "ost_expires_on": f"{_DAY}: when the latest current officer safety training lapses; null "
    "when none is current.",
    "ost_validity_months": "How many months officer safety training stays current (less a day).",
    "page": "The page of the list, from 1.",
    "per_page": "Entries per page, 1-500.",
    "places_left": "Places still open: capacity less live sign-ups.",
    "position": "The person's position, e.g. `Chief Officer, Special Constabulary`.",
    "quarter": "A calendar quarter, YYYY-Qn, e.g. `2026-Q3` (1 July - 30 September 2026).",
    "rank": "A Special Constabulary rank code, e.g. `SC`, `SSGT`.",
    "reason": "Why (free text, kept in the record).",
    "record_count": "Rows in the return's CSV (officers in it).",
    "recorded_at": f"{_INSTANT}. When this was keyed into the service.",
    "recorded_by_token_id": "The id of the API token that recorded it; null for imports and "
    "fixtures.",
    "region": "The force's mutual-aid region.",
    "required_units": "The National Occupational Standard units the profile requires, in its "
    "order.",
    "requires_current_ost": "Whether current officer safety training is required.",
    "resource_id": "The id of the record changed.",
    "resource_type": "The kind of record changed, e.g. `duty`, `officer`, `ips_grant`.",
    "return_id": "`{force}-{mercury_ref}v{version}-{yyyy}Q{n}-r{revision}` (FEED.md).",
    "revision": "The revision of the return: 1, then one more each time the data changes.",
    "revoke_reason": "Why the unit was revoked; null while held.",
    "revoked_on": f"{_DAY}: the unit is not held from this day; null while held.",
    "role": "The role of the token that made the change.",
    "serving": "The officer is serving on the day (joined, not yet left).",
    "sha256": "SHA-256 of the CSV's bytes, lower-case hex.",
    "signed_up_at": f"{_INSTANT}. When the sign-up was made.",
    "signup_deadline": f"{_INSTANT}. Sign-ups and withdrawals close at this instant.",
    "specialism": "The role profile's specialism, e.g. `Special Constabulary Independent "
    "Patrol Status`.",
    "starts_at": f"{_INSTANT}. The start (inclusive).",
    "status": "The state of the record.",
    "surname": "The officer's surname (personal data: never in a return).",
    "title": "A short title.",
    "to": "The end of the range.",
    "token_id": "The id of the API token used.",
    "total": "How many entries the whole list has, across pages.",
    "type": "A URI for the kind of problem; `about:blank` when the status says it all.",
    "unit": "A National Occupational Standard unit code, e.g. `CD5`.",
    "version": "The record's version: send it back in `If-Match` to change it safely.",
    "warrant_number": "The officer's warrant number, unique within the force.",
    "what": "What runs out: `ost` (officer safety training).",
    "windows": "Availability windows, each from `starts_at` to `ends_at`.",
    "withdraw_reason": "Why IPS was withdrawn; null while in force.",
    "withdrawn_at": f"{_INSTANT}. When the place was given up (withdrawn, declined or lapsed); "
    "null while it is held.",
    "auto_release": "Mutual aid: the force's officers' sign-ups to other forces' events are "
    "confirmed at once, without asking the force.",
    "aid_contact_email": "Mutual aid: the address mailed each new request of the force's "
    "officers; null: none.",
    "answered_at": f"{_INSTANT}. When the officer's force answered the request (or it lapsed); "
    "null while unanswered.",
    "answer_reason": "Why the officer's force declined; null otherwise.",
    "withdrawn_on": f"{_DAY}: IPS is not granted from this day; null while in force.",
    "within_days": "How many days ahead to look, 0-3660 (default 60).",
    "year": "A calendar year, 1900-2200.",
    "q": "Text found anywhere in a surname, forenames, warrant number or base location, "
    "case-insensitive; `%` and `_` match themselves.",
    "open_for_officer": "Only events this officer could still sign up to.",
    "available_only": "Also require declared availability covering the whole window.",
    "key": "The officer's calendar key.",
    "first_page": "The first page.",
    "last_page": "The last page.",
    "next_page": "The next page.",
    "previous_page": "The previous page.",
    "total_pages": "How many pages.",
}

_PROFILE_VERSION = "The role profile's version."
_RAG = "`green` (minimum met), `amber` (some hours, below) or `red` (none)."
# An event's fields, alike as read and as sent to make one.
_EVENT = {
    "title": "The event's title.",
    "version": "The role profile's version each volunteer must meet.",
    "mercury_ref": "The role profile each volunteer must meet on every day of the event; null "
    "when none.",
}
# Where one name means something more particular in one schema: the schema's name (less
# `Schema`), then the field's.
FIELDS_BY_SCHEMA: dict[str, dict[str, str]] = {
    "Notify": {
        "callouts": "E-mail me of call-outs I could answer (default true).",
        "reminders": "E-mail me 24 hours before each booked duty (default true).",
        "training": "E-mail me 30 days before my officer safety training lapses (default true).",
    },
    "OfficerCreate": {
        "email": "The officer's e-mail address, for notifications. Personal: never in a return, "
        "never logged.",
        "notify": "Which e-mails the officer wants; each kind is on unless set false.",
    },
    "OfficerPatch": {
        "email": "The officer's e-mail address, for notifications (null removes it). A Special "
        "may change their own. Personal: never in a return, never logged.",
    },
    "Notification": {
        "attempts": "How many times sending it has been tried.",
        "created_at": "When the message was queued (UTC).",
        "sent_at": "When the mail server accepted it (UTC); null until then.",
    },
    "ForceItem": {
        "name": "The force's name, e.g. `Cambridgeshire Constabulary`.",
        "code": FIELDS["force"],
    },
    "Unit": {"code": "The unit's code, e.g. `CD5`.", "title": "The unit's title."},
    "Event": _EVENT,
    "EventCreate": _EVENT,
    "Problem": {
        "title": "A short summary of the kind of problem.",
        "status": "The HTTP status code.",
    },
    "Duty": {
        "status": "`requested` (a mutual-aid sign-up awaiting the officer's force: holds the "
        "time, not booked), `booked`, `cancelled` or `completed`.",
        "location": "Where the duty takes place (free text).",
    },
    "Return": {
        "status": "`pending`, `delivered`, `failed`, or `filed` (no feed is configured: the "
        "files are the return, nothing waits to be delivered).",
        "version": _PROFILE_VERSION,
    },
    "OfficerMonth": {"status": _RAG},
    "MonthHours": {"status": _RAG},
    "RoleProfile": {"version": _PROFILE_VERSION},
    "RoleProfileCreate": {"version": _PROFILE_VERSION},
    "IpsStatus": {
        "version": _PROFILE_VERSION,
        "authorised_by": "The authorising officer of the grant in force, as one text; null when "
        "none.",
        "granted_on": f"{_DAY}: the grant in force on the day; null when none.",
    },
    "GrantCreate": {"authorised_by": "The host force's authorising officer."},
    "Grant": {"authorised_by": "The authorising officer, as one text: name, rank and position."},
    "Availability": {
        "from": f"{_INSTANT}. The start of the range read.",
        "to": f"{_INSTANT}. The end of the range read (exclusive).",
    },
    "Window": {
        "starts_at": f"{_INSTANT}. The officer is available from this instant.",
        "ends_at": f"{_INSTANT}. The officer is available until this instant.",
    },
    "Competency": {"id": "The competency record's id."},
    "MakeReturn": {"force": "One force's code; absent: every force."},
    "Leave": {"left_on": f"{_DAY}: the officer serves until the day before."},
    "Revoke": {"revoked_on": f"{_DAY}: the unit is not held from this day."},
    "Withdraw": {"withdrawn_on": f"{_DAY}: IPS is not granted from this day."},
    "Signup": {"force": "The officer's force."},
    "AuditEntry": {"officer_id": "The officer the change concerns, if any."},
    "Hours": {"items": "Twelve months, January first."},
}

# Query parameters named alike in every list.
QUERY_FIELDS: dict[str, str] = {
    "stage": "Instead of the role profile: officers at this stage of the learning programme "
    "or above (`APS`, `DPS`, `QSC`) on every day, with safety training in force.",
    "area": "With `stage=QSC`: QSC in this core area.",
    "force": "Only this force (its code). A force role may name only its own force; another "
    "force answers 404.",
    "officer_id": "Only this officer's.",
    "status": "Only duties in this state: `booked`, `cancelled` or `completed`.",
    "mercury_ref": "The role profile's Mercury reference (default 135).",
    "version": "The role profile's version (default 1).",
    "from": "The start of the window.",
    "to": "The end of the window.",
    "quarter": "Only this quarter, YYYY-Qn.",
    "resource_type": "Only changes to this kind of record.",
    "resource_id": "Only changes to the record with this id.",
    "month": "The Europe/London calendar month, YYYY-MM.",
    "on": f"{_DAY}; default: today in Europe/London.",
}


def describe_field(converter: Any, field: ma.fields.Field[Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: the glossary's description for a field without its own, and
    FEED.md's text rule on every field that can reach a return or a mail header."""
    text = field.metadata.get("description")
    if not text and field.name is not None and isinstance(field.parent, ma.Schema):
        schema = type(field.parent).__name__.removesuffix("Schema")
        name = field.data_key or field.name
        text = FIELDS_BY_SCHEMA.get(schema, {}).get(name)
        if text is None and schema.endswith("Query"):
            text = QUERY_FIELDS.get(name)
        text = text or FIELDS.get(name)
    for rule in (FEED_TEXT, HEADER_TEXT):
        if rule in field.validators:
            text = f"{text} {rule.words}" if text else rule.words
    return {"description": text} if text else {}


class OperationsPlugin(BasePlugin):
    """apispec plugin: operationIds, and descriptions of path parameters."""

    def path_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        parameters: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        for parameter in parameters or []:
            if parameter.get("in") == "path" and "description" not in parameter:
                text = PATH_PARAMETERS.get(parameter.get("name", ""))
                if text:
                    parameter["description"] = text
        return None

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        for method, operation in (operations or {}).items():
            operation_id = OPERATION_IDS.get((method, path or ""))
            if operation_id and "operationId" not in operation:
                operation["operationId"] = operation_id
