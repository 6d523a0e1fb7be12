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
    appointment = reference_save(
        FocalPoint,
        appointment,
        APPOINTMENT_FIELDS,
        user=user,
        history_reason=history_reason,
        fields=fields,
    )
    logger.info(
        "focal point appointment saved",
        extra={"focal_point": appointment.pk, "state": appointment.state_id, "user": user.pk},
    )
    return appointment


def reference_save(model, obj, allowed, *, user, history_reason, fields, links=None):
    """Create (``obj`` None) or change a row of reference data the secretariat curates (the
    caller checks who): only ``allowed`` fields, text trimmed, validated by the model, saved with
    its history (who, and why), then its many-to-many ``links`` set where given (None: left)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"not a field of {model.__name__}: {', '.join(sorted(unknown))}")
    obj = model() if obj is None else model.objects.select_for_update().get(pk=obj.pk)
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    obj.full_clean()
    obj._history_user = user
    obj._change_reason = history_reason or None
    obj.save()
    for name, values in (links or {}).items():
        if values is not None:
            getattr(obj, name).set(values)
    return obj
