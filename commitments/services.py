"""Writes to the commitments domain. Every surface calls these; none re-implements them.

Permission and validation failures raise Django's ``PermissionDenied`` and ``ValidationError``
(with field errors), which the web views, the API exception handler and the admin all map in
one place each.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from commitments import rules
from commitments.evidence import InspectedUpload, inspect_upload
from commitments.models import (
    Commitment,
    Evidence,
    ImportRun,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    ScrutinyChannel,
    UpdateTranslation,
)
from focalpoints.models import ApiToken, MemberState
from focalpoints.permissions import Action, can, is_secretariat
from focalpoints.tokens import token_allows_state

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceLink:
    url: str
    title: str = ""


def _authorise(user, action: Action, state: MemberState | str) -> None:
    if not can(user, action, state):
        raise PermissionDenied(_("You may not do this for this State."))


def commitment_refresh_derived(commitment: Commitment, *, save: bool = True) -> Commitment:
    """Recompute status, latest update and next review due from the updates (the one writer
    of those stored fields)."""
    updates = list(
        ProgressUpdate.objects.filter(commitment_id=commitment.pk).only(
            "id", "reported_on", "created_at", "status", "corrects_id"
        )
    )
    _apply_derived(commitment, updates)
    if save:
        commitment.skip_history_when_saving = True  # derived fields are not a human change
        try:
            commitment.save(update_fields=[*DERIVED_FIELDS, "updated_at"])
        finally:
            del commitment.skip_history_when_saving
    return commitment


DERIVED_FIELDS = ("status", "latest_update", "last_reported_on", "next_review_due")


def _apply_derived(commitment: Commitment, updates) -> None:
    derived = rules.derive(
        updates,
        pledged_on=commitment.pledged_on,
        review_interval_days=commitment.review_interval_days,
    )
    commitment.status = derived.status
    commitment.latest_update_id = derived.latest_update_id
    commitment.last_reported_on = derived.last_reported_on
    commitment.next_review_due = derived.next_review_due


def commitments_refresh_derived_bulk(
    commitments: Sequence[Commitment], *, updates_by_commitment: dict[int, list]
) -> None:
    """The same derivation for many commitments whose updates the caller already holds (bulk
    loaders: synthetic benchmark data, imports): one UPDATE per 1,000 rows, no history (a
    derived field is not a human change)."""
    for commitment in commitments:
        _apply_derived(commitment, updates_by_commitment.get(commitment.pk, []))
    Commitment.objects.bulk_update(commitments, list(DERIVED_FIELDS), batch_size=1000)


def commitment_terms_check(
    *,
    step: PreventionStep,
    pledged_on: datetime.date,
    target_date: datetime.date | None,
    step_changed: bool = True,
) -> None:
    """The rules on a pledge's terms, for every surface (forms, admin, API, import): raises a
    ValidationError with field errors."""
    errors: dict[str, list[str]] = {}
    if pledged_on > timezone.localdate():
        errors.setdefault("pledged_on", []).append(_("The pledge date cannot be in the future."))
    if target_date is not None and target_date < pledged_on:
        errors.setdefault("target_date", []).append(
            _("The target date cannot be before the pledge date.")
        )
    if step_changed and not step.is_active:
        errors.setdefault("step", []).append(
            _("This step is no longer offered for new commitments.")
        )
    if errors:
        raise ValidationError(errors)


def content_language(user, language: str | None = None) -> str:
    """The language user text is recorded in: the one given, else the author's own."""
    if language:
        return language
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def commitment_build(
    *,
    user,
    state: MemberState,
    step: PreventionStep,
    title: str,
    description: str,
    source_kind: str,
    source_description: str,
    pledged_on: datetime.date,
    source_url: str = "",
    target_date: datetime.date | None = None,
    review_interval_days: int = 180,
    basis: str | None = None,
    is_demo: bool = False,
    language: str | None = None,
    **origin,
) -> Commitment:
    """Authorise and validate a new pledge without writing it: the rules of
    :func:`commitment_create` and :func:`commitments_create_bulk`, also the import's dry run.
    Returns the unsaved row with its derived fields; raises PermissionDenied or
    ValidationError. ``language`` is the language of its text (default: the author's)."""
    _authorise(user, Action.RECORD_COMMITMENT, state)
    commitment_terms_check(step=step, pledged_on=pledged_on, target_date=target_date)
    commitment = Commitment(
        state=state,
        step=step,
        title=title.strip(),
        description=description.strip(),
        language=content_language(user, language),
        source_kind=source_kind,
        source_description=source_description.strip(),
        source_url=source_url,
        pledged_on=pledged_on,
        target_date=target_date,
        review_interval_days=review_interval_days,
        basis=basis or step.basis,
        created_by=_author(user),
        is_demo=is_demo,
    )
    _set_origin(commitment, origin)
    commitment_origin_check(commitment)
    # State, step and author are the rows passed in (no query to find them again); the two
    # check constraints are the terms check above and the interval's field validators (the
    # database still enforces them).
    commitment.full_clean(exclude=["state", "step", "created_by"], validate_constraints=False)
    _apply_derived(commitment, [])
    return commitment


@transaction.atomic
def commitment_create(
    *,
    user,
    resolutions: Iterable[Resolution] = (),
    channels: Iterable[ScrutinyChannel] | None = None,
    history_reason: str = "",
    **terms,
) -> Commitment:
    """Record a State's pledge (the terms of :func:`commitment_build`). Only the State's focal
    point (or the secretariat) may. ``history_reason`` is kept with the history entry (e.g.
    which import recorded it)."""
    commitment = commitment_build(user=user, **terms)
    commitment._history_user = _author(user)
    commitment._change_reason = history_reason or None
    commitment.save()
    commitment.resolutions.set(resolutions)
    commitment.channels.set(commitment.step.channels.all() if channels is None else channels)
    logger.info(
        "commitment recorded",
        extra={
            "commitment": commitment.pk,
            "state": commitment.state_id,
            "user": getattr(user, "pk", None),
        },
    )
    return commitment


@dataclass
class NewCommitment:
    """A pledge built by :func:`commitment_build`, with its links, for the bulk writer."""

    commitment: Commitment
    resolutions: Iterable[Resolution] = ()
    channels: Iterable[ScrutinyChannel] | None = None


@transaction.atomic
def commitments_create_bulk(
    *, user, new: Sequence[NewCommitment], history_reason: str = ""
) -> list[Commitment]:
    """Record many pledges already built (and so authorised and validated) by
    :func:`commitment_build`: what :func:`commitment_create` writes, row for row — history
    with its reason, links, the step's channels by default — in a few statements per batch
    (imports of thousands of rows)."""
    rows = [item.commitment for item in new]
    if not rows:
        return []
    bulk_create_with_history(
        rows,
        Commitment,
        batch_size=1000,
        default_user=_author(user),
        default_change_reason=history_reason or None,
    )
    step_channels = _channels_of_steps({row.step_id for row in rows})
    channel_links, resolution_links = [], []
    for item in new:
        pk = item.commitment.pk
        channels = (
            step_channels.get(item.commitment.step_id, [])
            if item.channels is None
            else [c.pk for c in item.channels]
        )
        channel_links += [
            Commitment.channels.through(commitment_id=pk, scrutinychannel_id=code)
            for code in channels
        ]
        resolution_links += [
            Commitment.resolutions.through(commitment_id=pk, resolution_id=r.pk)
            for r in item.resolutions
        ]
    Commitment.channels.through.objects.bulk_create(channel_links, batch_size=2000)
    Commitment.resolutions.through.objects.bulk_create(resolution_links, batch_size=2000)
    logger.info(
        "commitments recorded in bulk",
        extra={"count": len(rows), "user": getattr(user, "pk", None)},
    )
    return rows


def _channels_of_steps(step_ids: set[int]) -> dict[int, list[str]]:
    links = PreventionStep.channels.through.objects.filter(preventionstep_id__in=step_ids)
    found: dict[int, list[str]] = {}
    for step_id, code in links.values_list("preventionstep_id", "scrutinychannel_id"):
        found.setdefault(step_id, []).append(code)
    return found


def _set_origin(commitment: Commitment, origin: dict) -> None:
    unknown = set(origin) - set(ORIGIN_TERMS)
    if unknown:
        raise TypeError(f"not a term of a commitment: {', '.join(sorted(unknown))}")
    for name, value in origin.items():
        setattr(commitment, name, value.strip() if isinstance(value, str) else value)


def commitment_origin_check(commitment: Commitment) -> None:
    """The origin's rules (:func:`commitments.rules.origin_errors`) and that the recommending
    States are known codes; raises a ValidationError with field errors."""
    values = {name: getattr(commitment, name) for name in ORIGIN_TERMS if name != "origin"}
    values["operative_paragraph"] = commitment.operative_paragraph_id
    errors = rules.origin_errors(commitment.origin, values)
    codes = commitment.upr_recommending_states.upper().split()
    unknown = sorted(
        set(codes) - set(MemberState.objects.filter(code__in=codes).values_list("code", flat=True))
    )
    if unknown:
        errors.setdefault("upr_recommending_states", []).append(
            _("Not known State codes: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    commitment.upr_recommending_states = " ".join(codes)
    if errors:
        raise ValidationError(errors)


# Where a pledge comes from (commitments.models.ORIGIN_FIELDS), terms like the others.
ORIGIN_TERMS = (
    "origin",
    "upr_cycle",
    "upr_recommending_states",
    "upr_recommendation",
    "upr_response",
    "operative_paragraph",
    "statement_forum",
    "statement_on",
    "statement_url",
)

# The terms of a pledge a person may change (the derived fields and the State may not).
COMMITMENT_TERMS = (
    "step",
    "title",
    "description",
    "source_kind",
    "source_description",
    "source_url",
    "pledged_on",
    "target_date",
    "review_interval_days",
    "basis",
    "is_demo",
    *ORIGIN_TERMS,
)


@transaction.atomic
def commitment_update(
    *,
    user,
    commitment: Commitment,
    resolutions: Iterable[Resolution] | None = None,
    channels: Iterable[ScrutinyChannel] | None = None,
    history_reason: str = "",
    **terms,
) -> Commitment:
    """Change the terms of a pledge (the secretariat only): the same checks as recording it,
    history kept, and the review schedule follows a new pledge date or interval."""
    unknown = set(terms) - set(COMMITMENT_TERMS)
    if unknown:
        raise TypeError(f"not a term of a commitment: {', '.join(sorted(unknown))}")
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may change the terms of a commitment."))
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    step = terms.get("step", commitment.step)
    commitment_terms_check(
        step=step,
        pledged_on=terms.get("pledged_on", commitment.pledged_on),
        target_date=terms.get("target_date", commitment.target_date),
        step_changed=step.pk != commitment.step_id,
    )
    for name, value in terms.items():
        setattr(commitment, name, value.strip() if isinstance(value, str) else value)
    commitment_origin_check(commitment)
    commitment.full_clean()
    commitment._history_user = _author(user)
    commitment._change_reason = history_reason or None
    commitment.save()
    if resolutions is not None:
        commitment.resolutions.set(resolutions)
    if channels is not None:
        commitment.channels.set(channels)
    # A new pledge date or interval moves the next review; links changed the row too (partners
    # mirroring by updated_since must see it).
    commitment_refresh_derived(commitment)
    logger.info(
        "commitment terms changed",
        extra={"commitment": commitment.pk, "fields": sorted(terms), "user": user.pk},
    )
    return commitment


def _author(user):
    return user if user is not None and user.is_authenticated else None


def progress_update_check(
    *,
    user,
    commitment: Commitment,
    reported_on: datetime.date,
    narrative: str,
    corrects: ProgressUpdate | None = None,
    files: Sequence[UploadedFile] = (),
) -> list[InspectedUpload]:
    """Authorise and validate a progress update without writing anything: the rules
    :func:`progress_update_create` applies, also used by the web form's preview step.
    Returns what the uploads were found to be; raises PermissionDenied or ValidationError."""
    action = Action.CORRECT_PROGRESS if corrects is not None else Action.LOG_PROGRESS
    _authorise(user, action, commitment.state_id)
    errors: dict[str, list[str]] = {}
    if reported_on > timezone.localdate():
        errors.setdefault("reported_on", []).append(
            _("The reporting date cannot be in the future.")
        )
    if reported_on < commitment.pledged_on:
        errors.setdefault("reported_on", []).append(
            _("The reporting date cannot be before the pledge (%(date)s).")
            % {"date": commitment.pledged_on.isoformat()}
        )
    if not narrative.strip():
        errors.setdefault("narrative", []).append(_("Say what was done."))
    if corrects is not None:
        if corrects.commitment_id != commitment.pk:
            errors.setdefault("corrects", []).append(
                _("The update to correct belongs to another commitment.")
            )
        elif ProgressUpdate.objects.filter(corrects=corrects).exists():
            errors.setdefault("corrects", []).append(
                _("This update has already been corrected: correct the latest correction.")
            )
    inspected = []
    for upload in files:
        try:
            inspected.append(inspect_upload(upload))
        except ValidationError as exc:
            errors.setdefault("files", []).extend(
                f"{upload.name}: {message}" for message in exc.messages
            )
    if errors:
        raise ValidationError(errors)
    return inspected


@transaction.atomic
def progress_update_create(
    *,
    user,
    commitment: Commitment,
    reported_on: datetime.date,
    status: str,
    narrative: str,
    corrects: ProgressUpdate | None = None,
    links: Sequence[EvidenceLink] = (),
    files: Sequence[UploadedFile] = (),
    is_demo: bool = False,
    api_token: ApiToken | None = None,
    import_run: ImportRun | None = None,
    language: str | None = None,
) -> ProgressUpdate:
    """Publish a progress update (or a correction of an earlier one) with its evidence.

    ``api_token`` is the token the request was made with (API only): it is recorded on the
    update, and a token limited to one State cannot write for another."""
    action = Action.CORRECT_PROGRESS if corrects is not None else Action.LOG_PROGRESS
    _authorise(user, action, commitment.state_id)
    if api_token is not None and api_token.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This token belongs to someone else."))
    if not token_allows_state(api_token, commitment.state_id):
        raise PermissionDenied(
            _("This token is limited to %(state)s.") % {"state": api_token.state_id}
        )
    # Lock the commitment so two simultaneous updates derive its status one after the other.
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    # Progress on a demonstration commitment is demonstration data, whichever surface posts it.
    is_demo = is_demo or commitment.is_demo
    inspected = progress_update_check(
        user=user,
        commitment=commitment,
        reported_on=reported_on,
        narrative=narrative,
        corrects=corrects,
        files=files,
    )
    update = ProgressUpdate(
        commitment=commitment,
        reported_on=reported_on,
        status=status,
        narrative=narrative.strip(),
        language=content_language(user, language),
        corrects=corrects,
        author=_author(user),
        api_token=api_token,
        import_run=import_run,
        is_demo=is_demo,
    )
    update.full_clean(validate_unique=False)
    update.save()
    for link in links:
        evidence = Evidence(
            update=update,
            kind=Evidence.Kind.LINK,
            url=link.url,
            title=(link.title or link.url)[:250],
            is_demo=is_demo,
        )
        evidence.full_clean()
        evidence.save()
    for upload, meta in zip(files, inspected, strict=True):
        Evidence.objects.create(
            update=update,
            kind=Evidence.Kind.FILE,
            file=upload,
            title=(meta.title)[:250],
            content_type=meta.content_type,
            size_bytes=meta.size,
            sha256=meta.sha256,
            is_demo=is_demo,
        )
    commitment_refresh_derived(commitment)
    logger.info(
        "progress update published",
        extra={
            "update": update.pk,
            "commitment": commitment.pk,
            "corrects": getattr(corrects, "pk", None),
            "user": getattr(user, "pk", None),
            "api_token": getattr(api_token, "pk", None),
        },
    )
    return update


def _store_derived(commitments: Sequence[Commitment]) -> None:
    """Write the derived fields (and ``updated_at``: partners mirror by it) of many rows: one
    parameterised UPDATE sent for all of them (psycopg pipelines ``executemany``), far cheaper
    than ``bulk_update``'s CASE expressions over thousands of rows. No history: a derived field
    is not a human change."""
    table = connection.ops.quote_name(Commitment._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, latest_update_id = %s, "  # noqa: S608 (names are ours)
            "last_reported_on = %s, next_review_due = %s, updated_at = %s WHERE id = %s",
            [
                (
                    c.status,
                    c.latest_update_id,
                    c.last_reported_on,
                    c.next_review_due,
                    now,
                    c.pk,
                )
                for c in commitments
            ],
        )


@dataclass
class NewUpdate:
    """A progress update built by :func:`progress_update_build`, with its evidence links."""

    update: ProgressUpdate
    evidence: list[Evidence]


def progress_update_build(
    *,
    user,
    commitment: Commitment,
    reported_on: datetime.date,
    status: str,
    narrative: str,
    corrects: ProgressUpdate | None = None,
    links: Sequence[EvidenceLink] = (),
    language: str | None = None,
) -> NewUpdate:
    """Authorise and validate a progress update with evidence links without writing it (the
    rules of :func:`progress_update_check`), for :func:`progress_updates_create_bulk`."""
    progress_update_check(
        user=user,
        commitment=commitment,
        reported_on=reported_on,
        narrative=narrative,
        corrects=corrects,
    )
    is_demo = commitment.is_demo
    update = ProgressUpdate(
        commitment=commitment,
        reported_on=reported_on,
        status=status,
        narrative=narrative.strip(),
        language=content_language(user, language),
        corrects=corrects,
        author=_author(user),
        is_demo=is_demo,
    )
    # The related rows are the ones passed in; the status rule is the field's choices.
    related = ["commitment", "corrects", "author", "api_token", "import_run"]
    update.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
    evidence = []
    for link in links:
        item = Evidence(
            kind=Evidence.Kind.LINK,
            url=link.url,
            title=(link.title or link.url)[:250],
            is_demo=is_demo,
        )
        item.full_clean(exclude=["update"], validate_constraints=False)
        evidence.append(item)
    return NewUpdate(update, evidence)


@transaction.atomic
def progress_updates_create_bulk(
    *, new: Sequence[NewUpdate], import_run: ImportRun | None = None
) -> list[ProgressUpdate]:
    """Publish many updates built by :func:`progress_update_build` (imports): what
    :func:`progress_update_create` writes — the updates, their evidence, the commitments'
    derived status and review dates — in a few statements per batch, the commitments locked
    first like the single write does."""
    if not new:
        return []
    commitment_ids = {item.update.commitment_id for item in new}
    commitments = list(
        Commitment.objects.select_for_update().filter(pk__in=commitment_ids).order_by("pk")
    )
    updates = [item.update for item in new]
    for update in updates:
        update.import_run = import_run
    ProgressUpdate.objects.bulk_create(updates, batch_size=1000)
    evidence = []
    for item in new:
        for link in item.evidence:
            link.update = item.update
            evidence.append(link)
    Evidence.objects.bulk_create(evidence, batch_size=1000)
    updates_by_commitment: dict[int, list] = {}
    for update in ProgressUpdate.objects.filter(commitment_id__in=commitment_ids).only(
        "id", "commitment_id", "reported_on", "created_at", "status", "corrects_id"
    ):
        updates_by_commitment.setdefault(update.commitment_id, []).append(update)
    for commitment in commitments:
        _apply_derived(commitment, updates_by_commitment.get(commitment.pk, []))
    _store_derived(commitments)
    logger.info(
        "progress updates published in bulk",
        extra={"count": len(updates), "import_run": getattr(import_run, "pk", None)},
    )
    return updates


# What a person may set on a resolution (its States are a link, passed apart).
RESOLUTION_FIELDS = (
    "symbol",
    "body",
    "kind",
    "adopted_on",
    "title",
    "situation",
    "r2p_reference",
    "official_url",
    "verification",
    "verification_note",
    "source",
)


@transaction.atomic
def resolution_save(
    *,
    user,
    resolution: Resolution | None = None,
    states: Iterable[MemberState] | None = None,
    history_reason: str = "",
    **fields,
) -> Resolution:
    """Record a resolution (``resolution`` None) or change one: the secretariat curates the
    reference data; the model's rules (a unique symbol) as field errors; history kept."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat curates resolutions."))
    unknown = set(fields) - set(RESOLUTION_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a resolution: {', '.join(sorted(unknown))}")
    resolution = (
        Resolution()
        if resolution is None
        else Resolution.objects.select_for_update().get(pk=resolution.pk)
    )
    for name, value in fields.items():
        setattr(resolution, name, value.strip() if isinstance(value, str) else value)
    resolution.full_clean()
    resolution._history_user = user
    resolution._change_reason = history_reason or None
    resolution.save()
    if states is not None:
        resolution.states.set(states)
    logger.info("resolution saved", extra={"resolution": resolution.pk, "user": user.pk})
    return resolution


@transaction.atomic
def progress_update_translate(
    *, user, update: ProgressUpdate, language: str, narrative: str
) -> UpdateTranslation:
    """Add a translation of ``update``'s narrative in another site language. Whoever may report
    progress for the State may; the update itself is untouched."""
    _authorise(user, Action.LOG_PROGRESS, update.commitment.state_id)
    if language == update.language:
        raise ValidationError({"language": _("The update is already written in this language.")})
    if update.translations.filter(language=language).exists():
        raise ValidationError(
            {"language": _("This update already has a translation in that language.")}
        )
    translation = UpdateTranslation(
        update=update, language=language, narrative=narrative.strip(), author=_author(user)
    )
    translation.full_clean(validate_constraints=False)
    translation.save()
    return translation
