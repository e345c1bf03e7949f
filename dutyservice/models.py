"""Every mapped model, imported so that Base.metadata is complete (Alembic, tests)."""

from .audit import AuditEntry
from .auth.models import ApiToken, PageSession
from .db import Base
from .duties.models import AvailabilityWindow, Duty, Officer
from .events.models import Event, EventSignup
from .forces.models import DutyType, Force, MinimumHours
from .ips.learning_models import LearningRecord
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
from .npocc.models import NpoccReturn, QuarterRun
from .outbox import Notification, PushSubscription

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
    "LearningRecord",
    "MinimumHours",
    "NosUnit",
    "Notification",
    "NpoccReturn",
    "Officer",
    "PageSession",
    "ProfileAuthorisation",
    "PushSubscription",
    "QuarterRun",
    "RoleProfile",
    "RoleProfileUnit",
    "TrainingRecord",
]
