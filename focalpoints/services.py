"""Writes to focal point appointments (the secretariat curates them): the admin's rules, for
every surface that is not the admin form itself (the spreadsheet import)."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from focalpoints.models import (
    FocalPoint,
    MemberState,
    Organisation,
    OrganisationMembership,
)
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


# --- Assessor organisations (issue 10; docs/scrutiny.md) -----------------------------------------

ORGANISATION_FIELDS = ("name", "kind", "country", "website", "description", "contact_email")
CONFIRMATION_SALT = "focalpoints.organisation-confirmation"


@dataclass(frozen=True)
class Registration:
    organisation: Organisation
    user: object
    token: str


def organisation_confirmation_token(organisation: Organisation, user) -> str:
    """The signed token of the confirmation link (no row needed: it names both records)."""
    return signing.dumps(
        {"organisation": organisation.pk, "user": user.pk}, salt=CONFIRMATION_SALT, compress=True
    )


@transaction.atomic
def organisation_register(
    *,
    name: str,
    kind: str,
    country: MemberState | None,
    website: str,
    description: str,
    contact_email: str,
    username: str,
    password: str,
    full_name: str = "",
    language: str = "en",
    is_demo: bool = False,
) -> Registration:
    """An organisation registers itself with its first member account. Both wait: the account
    is inactive until the address is confirmed (:func:`organisation_confirm_email`), and the
    organisation stays pending — nothing it submits can be published — until the secretariat
    approves it (:func:`organisation_approve`). Anyone may call this (the form is rate limited);
    a kind of "secretariat" cannot be claimed by registering. The confirmation e-mail is sent
    after the commit by the function ``ORGANISATION_CONFIRMATION_EMAIL`` names."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    errors: dict[str, list[str]] = {}
    if kind == Organisation.Kind.SECRETARIAT:
        errors["kind"] = [_("Only the secretariat records organisations of this kind.")]
    if not contact_email.strip():
        errors["contact_email"] = [_("Give an address: the confirmation link is sent there.")]
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        country=country,
        website=website.strip(),
        description=description.strip(),
        contact_email=contact_email.strip(),
        is_demo=is_demo,
    )
    try:
        organisation.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    User = get_user_model()
    first, _space, last = full_name.strip().partition(" ")
    user = User(
        username=username.strip(),
        email=contact_email.strip(),
        first_name=first[:150],
        last_name=last[:150],
        preferred_language=language,
        is_active=False,
        is_demo=is_demo,
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    organisation.save()
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    token = organisation_confirmation_token(organisation, user)
    compose = import_string(settings.ORGANISATION_CONFIRMATION_EMAIL)
    transaction.on_commit(
        lambda: compose(organisation, user=user, token=token).send(fail_silently=False)
    )
    logger.info("organisation registered", extra={"organisation": organisation.pk, "user": user.pk})
    return Registration(organisation, user, token)


@transaction.atomic
def organisation_confirm_email(*, token: str) -> Organisation:
    """Confirm the address of a self-registered organisation from the signed link: its first
    account becomes active (it can sign in and submit; publication still waits for approval).
    Confirming twice is harmless; a bad or expired link is a ValidationError."""
    max_age = datetime.timedelta(days=settings.ORGANISATION_CONFIRMATION_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise ValidationError(
            _("This confirmation link is not valid or has expired: register again.")
        ) from exc
    organisation = Organisation.objects.select_for_update().get(pk=payload["organisation"])
    membership = OrganisationMembership.objects.select_related("user").get(
        organisation=organisation, user_id=payload["user"]
    )
    if organisation.email_confirmed_at is None:
        organisation.email_confirmed_at = timezone.now()
        organisation._change_reason = "e-mail address confirmed"
        organisation.save(update_fields=["email_confirmed_at", "updated_at"])
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
    return organisation


@transaction.atomic
def organisation_approve(*, user, organisation: Organisation) -> Organisation:
    """The secretariat approves an organisation: from now on what it submitted can be
    published (each assessment still moderated). History records who and when."""
    _require_secretariat_for_organisations(user)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_approved:
        return organisation
    organisation.status = Organisation.Status.APPROVED
    organisation.approved_at = timezone.now()
    organisation.approved_by = user
    organisation._history_user = user
    organisation._change_reason = "approved"
    organisation.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    logger.info("organisation approved", extra={"organisation": organisation.pk, "user": user.pk})
    return organisation


def _require_secretariat_for_organisations(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat approves assessor organisations."))


@transaction.atomic
def organisation_member_add(*, user, organisation: Organisation, member) -> OrganisationMembership:
    """The secretariat adds an account to an organisation (or reactivates its membership)."""
    _require_secretariat_for_organisations(user)
    membership, _created = OrganisationMembership.objects.get_or_create(
        user=member, organisation=organisation
    )
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    return membership
