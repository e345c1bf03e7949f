"""Officers: the Specials of a force, their monthly hours and declared availability."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from ..duties import queries, service
from ..duties.models import RANKS, Officer
from ..ips import learning_queries, serving
from ..privacy.holdings import HOLDINGS
from ..privacy.subject_access import export_officer_data
from ..served import check_served
from .common import (
    PageQuery,
    StrictSchema,
    database,
    etag,
    if_match,
    list_of,
    listed,
    page_of,
    principal,
    read,
    read_about,
    settings,
)
from .formats import Day, FeedText, HeaderText, Instant, InstantOrDay, Text, no_nul
from .routing import api_blueprint, id_rule

blp = api_blueprint(
    "officers", "/officers", "Special Constables: records, leaving, monthly hours, availability."
)

OFFICER_ID = id_rule("officer_id")


class OfficerSchema(Schema):
    id = fields.Integer()
    force = fields.Function(lambda o: o.force.code)
    officer_ref = fields.String(metadata={"description": "{force}-{warrant_number}"})
    warrant_number = fields.String()
    surname = fields.String()
    forenames = fields.String()
    rank = fields.String()
    base_location = fields.String()
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)
    version = fields.Integer(metadata={"description": "sent back in If-Match to edit safely"})
    email = fields.String(allow_none=True, metadata={"description": "personal: never in a return"})
    notify = fields.Function(
        lambda o: {
            "callouts": o.notify_callouts,
            "reminders": o.notify_reminders,
            "training": o.notify_training,
        },
        metadata={"description": "which e-mails the officer receives"},
    )


class OfficerRowSchema(Schema):
    """An officer as a row of a list names them."""

    officer_id = fields.Integer()
    officer_ref = fields.String()
    force = fields.String()
    rank = fields.String()


class NotifySchema(StrictSchema):
    """Which e-mails the officer receives; each is true unless turned off."""

    callouts = fields.Boolean(truthy={True}, falsy={False})
    reminders = fields.Boolean(truthy={True}, falsy={False})
    training = fields.Boolean(truthy={True}, falsy={False})


def Email() -> fields.Email:
    return fields.Email(allow_none=True, validate=[validate.Length(max=254), no_nul])


class OfficerCreateSchema(StrictSchema):
    force = Text(40, required=True, min_length=1)
    warrant_number = FeedText(40, required=True, min_length=1)
    surname = HeaderText(100, required=True, min_length=1)
    forenames = HeaderText(100, required=True, min_length=1)
    rank = fields.String(required=True, validate=validate.OneOf(RANKS))
    base_location = FeedText(120, required=True, min_length=1)
    joined_on = Day(required=True)
    email = Email()
    notify = fields.Nested(NotifySchema)


class OfficerPatchSchema(StrictSchema):
    warrant_number = FeedText(40, min_length=1)
    surname = HeaderText(100, min_length=1)
    forenames = HeaderText(100, min_length=1)
    rank = fields.String(validate=validate.OneOf(RANKS))
    base_location = FeedText(120, min_length=1)
    joined_on = Day()
    email = Email()
    notify = fields.Nested(
        NotifySchema, metadata={"description": "a Special may change this and email on their own"}
    )


class OfficerQuery(PageQuery):
    force = Text(40)
    q = Text(100, metadata={"description": "part of a name, warrant number or base location"})


class LeaveSchema(StrictSchema):
    left_on = Day(required=True)


class HoursQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(1900, 2200))


class MonthHoursSchema(Schema):
    month = fields.String()
    hours = fields.Float()
    minimum = fields.Float()
    status = fields.String(
        allow_none=True,
        metadata={
            "description": "green: minimum met; amber: some hours, below it; red: none; "
            "null for a month that has not begun"
        },
    )


class WindowSchema(StrictSchema):
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)


class AvailabilityRangeQuery(Schema):
    from_ = InstantOrDay(required=True, data_key="from")
    to = InstantOrDay(required=True, end=True, metadata={"description": "a day counts whole"})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise SchemaError("must be after from", field_name="to")


class AvailabilityBodySchema(StrictSchema):
    from_ = InstantOrDay(required=True, data_key="from")
    to = InstantOrDay(required=True, end=True)
    windows = fields.List(
        fields.Nested(WindowSchema), required=True, validate=validate.Length(max=1000)
    )


class AvailabilitySchema(Schema):
    officer_id = fields.Integer()
    from_ = Instant(data_key="from")
    to = Instant()
    windows = fields.List(fields.Nested(WindowSchema))


OfficerExportSchema = Schema.from_dict(
    {
        "exported_at": fields.String(metadata={"description": "when this copy was made (UTC)"}),
        "officer": fields.Dict(metadata={"description": "the officer's record"}),
        **{
            h.section: fields.List(fields.Dict(), metadata={"description": h.description})
            for h in HOLDINGS
        },
    },
    name="OfficerExportSchema",
)


@blp.route("", methods=["GET"])
@blp.arguments(OfficerQuery, location="query")
@blp.response(200, page_of(OfficerSchema))
def list_officers(args: dict[str, Any]) -> dict[str, Any]:
    """Officers the caller may see, by surname; filter by force or a search text."""
    return listed(queries.list_officers, args, "force", "q")


@blp.route("", methods=["POST"])
@blp.arguments(OfficerCreateSchema)
@blp.response(201, OfficerSchema)
def create_officer(data: dict[str, Any]) -> tuple[Officer, dict[str, str]]:
    """Add a Special to a force. The warrant number is unique within the force (409); a force
    this service does not serve (DUTYSERVICE_FORCES) is refused (422)."""
    check_served(settings().forces, data["force"])
    officer = service.create_officer(database(), principal(), data)
    return officer, etag(officer.version)


@blp.route(f"/{OFFICER_ID}", methods=["GET"])
@blp.response(200, OfficerSchema)
def get_officer(officer_id: int) -> tuple[Officer, dict[str, str]]:
    """One officer's record. The ETag header carries its version."""
    officer = read_about("officer", queries.load_officer, officer_id)
    return officer, etag(officer.version)


@blp.route(f"/{OFFICER_ID}", methods=["PATCH"])
@blp.arguments(OfficerPatchSchema)
@blp.response(200, OfficerSchema)
def edit_officer(changes: dict[str, Any], officer_id: int) -> tuple[Officer, dict[str, str]]:
    """Edit an officer. With `If-Match`, a stale version answers 409 and changes nothing;
    `If-Match: *` matches any version. A Special may change their own `email` and `notify`
    preferences."""
    officer = serving.update_officer(
        database(), principal(), officer_id, service.Edit(changes, if_match())
    )
    return officer, etag(officer.version)


@blp.route(f"/{OFFICER_ID}/leave", methods=["POST"])
@blp.arguments(LeaveSchema)
@blp.response(200, OfficerSchema)
def leave(data: dict[str, Any], officer_id: int) -> Officer:
    """The officer stops serving from `left_on`; their history is kept."""
    return serving.officer_leaves(database(), principal(), officer_id, data["left_on"])


@blp.route(f"/{OFFICER_ID}/hours", methods=["GET"])
@blp.arguments(HoursQuery, location="query")
@blp.response(200, list_of(MonthHoursSchema, "HoursSchema"))
def hours(args: dict[str, Any], officer_id: int) -> dict[str, Any]:
    """Completed hours per Europe/London month of the year against the minimum in force that
    month for the officer's stage (the force's, by default 16 hours)."""
    months = read(learning_queries.officer_hours, officer_id, args["year"])
    return {
        "items": [
            {
                "month": str(m.month),
                "hours": m.hours,
                "minimum": m.minimum,
                "status": m.status.value if m.status else None,
            }
            for m in months
        ]
    }


@blp.route(f"/{OFFICER_ID}/availability", methods=["GET"])
@blp.arguments(AvailabilityRangeQuery, location="query")
@blp.response(200, AvailabilitySchema)
def get_availability(args: dict[str, Any], officer_id: int) -> dict[str, Any]:
    """Declared availability windows touching the range `from`..`to` (days or instants)."""
    windows = read(queries.availability, officer_id, args["from_"], args["to"])
    return {"officer_id": officer_id, "from_": args["from_"], "to": args["to"], "windows": windows}


@blp.route(f"/{OFFICER_ID}/availability", methods=["PUT"])
@blp.arguments(AvailabilityBodySchema)
@blp.response(200, AvailabilitySchema)
def put_availability(data: dict[str, Any], officer_id: int) -> dict[str, Any]:
    """Replace the declared availability within `from`..`to`; outside it nothing changes."""
    windows = [(w["starts_at"], w["ends_at"]) for w in data["windows"]]
    created = service.replace_availability(
        database(), principal(), officer_id, data["from_"], data["to"], windows
    )
    return {"officer_id": officer_id, "from_": data["from_"], "to": data["to"], "windows": created}


@blp.route(f"/{OFFICER_ID}/export", methods=["GET"])
@blp.response(200, OfficerExportSchema)
def export(officer_id: int) -> dict[str, Any]:
    """Everything held about the officer, as one document (subject access): for the officer
    themself and admins. The export is recorded in the audit trail."""
    return export_officer_data(database(), principal(), officer_id)
