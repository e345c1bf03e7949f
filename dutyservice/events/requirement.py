"""What an event asks of each volunteer on every day of it."""

from __future__ import annotations

from ..ips.eligibility import Requirement
from ..ips.learning_rules import StageRequirement
from ..ips.queries import requirements_of
from .models import Event


def event_requirement(event: Event) -> Requirement | None:
    """A stage of the learning programme, a role profile, or (neither) nothing beyond serving."""
    if event.required_stage is not None:
        return StageRequirement(event.required_stage, event.required_area)
    return requirements_of(event.role_profile) if event.role_profile else None
