"""Every mapped model, imported so that Base.metadata is complete (Alembic, tests)."""

from .audit import AuditEntry
from .auth.models import ApiToken
from .db import Base
from .duties.models import AvailabilityWindow, Duty, Officer
from .events.models import Event, EventSignup
from .forces.models import DutyType, Force
from .ips.models import (
    CompetencyRecord,
    IpsGrant,
    NosUnit,
    ProfileAuthorisation,
    RoleProfile,
    RoleProfileUnit,
    TrainingRecord,
)
from .jobruns import JobRun
from .notify.models import Notification
from .npocc.models import NpoccReturn, QuarterRun

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AvailabilityWindow",
    "Base",
    "CompetencyRecord",
    "Duty",
    "DutyType",
    "Event",
    "EventSignup",
    "Force",
    "IpsGrant",
    "JobRun",
    "NosUnit",
    "Notification",
    "NpoccReturn",
    "QuarterRun",
    "Officer",
    "ProfileAuthorisation",
    "RoleProfile",
    "RoleProfileUnit",
    "TrainingRecord",
]
