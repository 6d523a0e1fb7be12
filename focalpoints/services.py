"""Writes to focal point appointments (the secretariat curates them): the admin's rules, for
every surface that is not the admin form itself (the spreadsheet import)."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from focalpoints.models import FocalPoint
from focalpoints.permissions import is_secretariat

logger = logging.getLogger(__name__)

# What a person may set on an appointment (the reference key and timestamps are not).
APPOINTMENT_FIELDS = (
    "state",
    "office",
    "title",
    "appointed_on",
    "ended_on",
    "evidence",
    "evidence_as_of",
    "source_url",
    "verification",
)


def _require_secretariat(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat curates focal point appointments."))


@transaction.atomic
def focal_point_save(
    *, user, appointment: FocalPoint | None = None, history_reason: str = "", **fields
) -> FocalPoint:
    """Record a new appointment (``appointment`` None) or change one: the secretariat only;
    the model's rules (one current appointment per State, ends after it starts) as field
    errors; history kept with its reason."""
    _require_secretariat(user)
    unknown = set(fields) - set(APPOINTMENT_FIELDS)
    if unknown:
        raise TypeError(f"not a field of an appointment: {', '.join(sorted(unknown))}")
    if appointment is None:
        appointment = FocalPoint()
    else:
        appointment = FocalPoint.objects.select_for_update().get(pk=appointment.pk)
    for name, value in fields.items():
        setattr(appointment, name, value.strip() if isinstance(value, str) else value)
    appointment.full_clean()
    appointment._history_user = user
    appointment._change_reason = history_reason or None
    appointment.save()
    logger.info(
        "focal point appointment saved",
        extra={"focal_point": appointment.pk, "state": appointment.state_id, "user": user.pk},
    )
    return appointment
