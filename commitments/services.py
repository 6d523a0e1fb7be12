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
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from commitments import ledger, rules
from commitments.evidence import InspectedUpload, inspect_upload
from commitments.models import (
    AnsweredReview,
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    Evidence,
    EvidenceBase,
    ImportRun,
    Moderation,
    PreventionStep,
    ProgressUpdate,
    RequestedBy,
    Resolution,
    RevisionField,
    RevisionRequest,
    RiskFactor,
    ScrutinyChannel,
    UpdateTranslation,
)
from focalpoints import permissions
from focalpoints.models import ApiToken, MemberState, Organisation
from focalpoints.permissions import Action, can, is_secretariat
from focalpoints.services import reference_save
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
        _store_answered_reviews([commitment])
    return commitment


DERIVED_FIELDS = ("status", "latest_update", "last_reported_on", "next_review_due")


def _apply_derived(commitment: Commitment, updates) -> None:
    derived = rules.derive(
        updates,
        pledged_on=commitment.pledged_on,
        review_interval_days=commitment.review_interval_days,
        withdrawn=commitment.withdrawn_on is not None,
    )
    commitment.status = derived.status
    commitment.latest_update_id = derived.latest_update_id
    commitment.last_reported_on = derived.last_reported_on
    commitment.next_review_due = derived.next_review_due
    commitment.derived_answered_reviews = rules.answered_reviews(
        updates,
        pledged_on=commitment.pledged_on,
        review_interval_days=commitment.review_interval_days,
    )


def _store_answered_reviews(commitments: Sequence[Commitment]) -> None:
    """Replace the stored answered reviews of ``commitments`` by those :func:`_apply_derived`
    just replayed (D-12-10): two statements per 1,000 commitments, in the caller's
    transaction."""
    for start in range(0, len(commitments), 1000):
        chunk = commitments[start : start + 1000]
        AnsweredReview.objects.filter(commitment_id__in=[c.pk for c in chunk]).delete()
        AnsweredReview.objects.bulk_create(
            [
                AnsweredReview(
                    commitment_id=c.pk, due_on=cycle.due_on, reported_on=cycle.reported_on
                )
                for c in chunk
                for cycle in c.derived_answered_reviews
            ],
            batch_size=2000,
        )


def commitments_refresh_derived_bulk(
    commitments: Sequence[Commitment], *, updates_by_commitment: dict[int, list]
) -> None:
    """The same derivation for many commitments whose updates the caller already holds (bulk
    loaders: synthetic benchmark data, imports): one UPDATE per 1,000 rows, no history (a
    derived field is not a human change)."""
    commitments_derive_bulk(commitments, updates_by_commitment=updates_by_commitment)
    Commitment.objects.bulk_update(commitments, list(DERIVED_FIELDS), batch_size=1000)
    _store_answered_reviews(commitments)


def commitments_derive_bulk(
    commitments: Sequence[Commitment], *, updates_by_commitment: dict[int, list]
) -> None:
    """Set the derived fields of commitments in memory, from updates the caller holds (a
    loader that writes the rows itself afterwards, e.g. with ``COPY``)."""
    for commitment in commitments:
        _apply_derived(commitment, updates_by_commitment.get(commitment.pk, []))


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
    ledger.append_commitment(commitment)
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
    ledger.append_many(ledger.entries_for_commitments(row.pk for row in rows))
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

# The terms of a pledge set when it is recorded (the derived fields and the State may not be
# typed).
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
# What a revision may change: every term but the demonstration flag, the related rows, and
# ``withdrawn_on`` (a withdrawal). RevisionField lists the same names for the public record.
REVISABLE_TERMS = tuple(RevisionField.values)
MANY_TERMS = ("channels", "resolutions")


def revision_value(name: str, value) -> str:
    """How a term's value is written in a revision's ``before`` and ``after`` (public)."""
    if value is None:
        return ""
    if name == "step":
        return value.code
    if isinstance(value, models.Model):  # the operative paragraph
        return str(value)
    if name == "channels":
        return ", ".join(sorted(channel.pk for channel in value))
    if name == "resolutions":
        return ", ".join(sorted(resolution.symbol for resolution in value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


def _current_value(commitment: Commitment, name: str):
    if name in MANY_TERMS:
        return list(getattr(commitment, name).all())
    return getattr(commitment, name)


def revision_changes_check(*, commitment: Commitment, changes: dict, reason: str) -> dict:
    """The rules on a revision for every surface (admin, workspace request, approval): a reason,
    known terms, at least one real change, the pledge's own rules. Returns the changed terms as
    ``name -> (before, after)`` display values; raises ValidationError with field errors."""
    unknown = set(changes) - set(REVISABLE_TERMS)
    if unknown:
        raise TypeError(f"not a revisable term of a commitment: {', '.join(sorted(unknown))}")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [
            _("Say why the pledge changes: every revision is public with its reason.")
        ]
    changed = {}
    for name, value in changes.items():
        before = revision_value(name, _current_value(commitment, name))
        after = revision_value(name, value)
        if before != after:
            changed[name] = (before, after)
    if not changed:
        errors.setdefault("__all__", []).append(_("Nothing would change: the terms are the same."))
    step = changes.get("step", commitment.step)
    try:
        commitment_terms_check(
            step=step,
            pledged_on=changes.get("pledged_on", commitment.pledged_on),
            target_date=changes.get("target_date", commitment.target_date),
            step_changed=step.pk != commitment.step_id,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    withdrawn_on = changes.get("withdrawn_on")
    if withdrawn_on is not None and withdrawn_on > timezone.localdate():
        errors.setdefault("withdrawn_on", []).append(
            _("The withdrawal date cannot be in the future.")
        )
    if errors:
        raise ValidationError(errors)
    return changed


def _authorise_revision(user, commitment: Commitment) -> None:
    if is_secretariat(user):
        return
    if can(user, Action.REQUEST_REVISION, commitment.state_id):
        raise PermissionDenied(
            _(
                "A focal point cannot change a pledge directly: request the revision, and the "
                "secretariat will approve it."
            )
        )
    raise PermissionDenied(_("You may not do this for this State."))


@transaction.atomic
def commitment_revise(
    *,
    user,
    commitment: Commitment,
    changes: dict,
    reason: str,
    request: RevisionRequest | None = None,
    history_reason: str = "",
) -> list[CommitmentRevision]:
    """Change the terms of a pledge: the one way to do it. The secretariat revises, directly or
    by approving a focal point's request; each changed term becomes a public revision (before,
    after, reason, at whose request) and a ledger entry, in this transaction. Withdrawing is
    the revision of ``withdrawn_on``. The review schedule follows a new pledge date, interval
    or withdrawal."""
    _authorise_revision(user, commitment)
    commitment = Commitment.objects.select_for_update().select_related("step").get(pk=commitment.pk)
    changed = revision_changes_check(commitment=commitment, changes=changes, reason=reason)
    for name in changed:
        value = changes[name]
        if name in MANY_TERMS:
            getattr(commitment, name).set(value)
        else:
            setattr(commitment, name, value.strip() if isinstance(value, str) else value)
    commitment_origin_check(commitment)
    commitment.full_clean()
    commitment._history_user = _author(user)
    commitment._change_reason = history_reason or None
    commitment.save()
    commitment_refresh_derived(commitment)
    requested_by = request.requested_by if request is not None else _author(user)
    role = RequestedBy.FOCAL_POINT if request is not None else RequestedBy.SECRETARIAT
    revisions = []
    for name, (before, after) in changed.items():
        revision = CommitmentRevision.objects.create(
            commitment=commitment,
            field=name,
            before=before,
            after=after,
            reason=reason.strip(),
            requested_by_role=role,
            requested_by=requested_by,
            approved_by=_author(user),
            request=request,
            is_demo=commitment.is_demo,
        )
        ledger.append(**ledger.revision_entry(revision, commitment))
        revisions.append(revision)
    logger.info(
        "commitment revised",
        extra={"commitment": commitment.pk, "fields": sorted(changed), "user": user.pk},
    )
    return revisions


def _request_payload(changes: dict) -> dict:
    """A request's changes as JSON: dates as ISO strings, the step and related rows by key."""
    payload = {}
    for name, value in changes.items():
        if name in MANY_TERMS:
            payload[name] = sorted(item.pk for item in value)
        elif isinstance(value, models.Model):
            payload[name] = value.pk
        elif isinstance(value, datetime.date):
            payload[name] = value.isoformat()
        else:
            payload[name] = value
    return payload


def revision_request_changes(revision_request: RevisionRequest) -> dict:
    """The request's changes as term values again (the inverse of :func:`_request_payload`)."""
    changes = {}
    for name, value in revision_request.changes.items():
        field = Commitment._meta.get_field(name)
        if name in MANY_TERMS:
            changes[name] = list(field.related_model.objects.filter(pk__in=value))
        elif field.many_to_one and value is not None:
            changes[name] = field.related_model.objects.get(pk=value)
        elif value and field.get_internal_type() == "DateField":
            changes[name] = datetime.date.fromisoformat(value)
        else:
            changes[name] = value
    return changes


@transaction.atomic
def revision_request_create(
    *, user, commitment: Commitment, changes: dict, reason: str
) -> RevisionRequest:
    """A focal point asks the secretariat to revise its State's pledge (nothing public yet)."""
    if not can(user, Action.REQUEST_REVISION, commitment.state_id):
        raise PermissionDenied(_("Only the State's focal point may request a revision."))
    revision_changes_check(commitment=commitment, changes=changes, reason=reason)
    return RevisionRequest.objects.create(
        commitment=commitment,
        changes=_request_payload(changes),
        reason=reason.strip(),
        requested_by=_author(user),
    )


@transaction.atomic
def revision_request_decide(
    *, user, revision_request: RevisionRequest, approve: bool, note: str = ""
) -> RevisionRequest:
    """The secretariat approves (the revision is made and published) or refuses a request."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may decide on a revision request."))
    revision_request = RevisionRequest.objects.select_for_update().get(pk=revision_request.pk)
    if revision_request.decision != RevisionRequest.Decision.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if approve:
        commitment_revise(
            user=user,
            commitment=revision_request.commitment,
            changes=revision_request_changes(revision_request),
            reason=revision_request.reason,
            request=revision_request,
        )
    elif not note.strip():
        raise ValidationError({"decision_note": [_("Say why the request is refused.")]})
    revision_request.decision = (
        RevisionRequest.Decision.APPROVED if approve else RevisionRequest.Decision.REFUSED
    )
    revision_request.decided_by = _author(user)
    revision_request.decided_at = timezone.now()
    revision_request.decision_note = note.strip()
    revision_request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    return revision_request


@transaction.atomic
def commitment_remove(*, user, commitment: Commitment, reason: str) -> None:
    """The secretariat removes a commitment that should never have been published (recorded
    for the wrong State, a duplicate): the commitment, its updates, evidence and revisions go,
    and a public tombstone in the ledger says what went, when and why."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may remove a commitment."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the commitment is removed.")]})
    Commitment.objects.select_for_update().get(pk=commitment.pk)
    commitments_delete(Commitment.objects.filter(pk=commitment.pk), reason=reason.strip())
    logger.info("commitment removed", extra={"commitment": commitment.pk, "user": user.pk})


def commitments_delete(commitments, *, reason: str) -> dict[str, int]:
    """Delete commitments with everything published about them, leaving one public tombstone
    each in the ledger. The one deletion path (secretariat removal, the admin's delete,
    ``seed_demo --remove``); callers authorise. A constant number of queries per batch."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commitments_delete must run in a transaction")
    rows = list(commitments.order_by("pk").values_list("pk", "state_id"))
    ids = [pk for pk, _state in rows]
    updates = ProgressUpdate._base_manager.filter(commitment_id__in=ids)
    update_ids: dict[int, list[int]] = {}
    for commitment_id, update_id in updates.values_list("commitment_id", "pk"):
        update_ids.setdefault(commitment_id, []).append(update_id)
    revision_ids: dict[int, list[int]] = {}
    revisions = CommitmentRevision.objects.filter(commitment_id__in=ids)
    for commitment_id, revision_id in revisions.values_list("commitment_id", "pk"):
        revision_ids.setdefault(commitment_id, []).append(revision_id)
    evidence = Evidence._base_manager.filter(update__commitment_id__in=ids)
    for item in evidence.exclude(file=""):
        item.file.delete(save=False)
    counts = {"evidence": evidence._raw_delete(evidence.db)}
    # Independent assessments, their evidence and the replies go with the commitment.
    assessments = Assessment._base_manager.filter(commitment_id__in=ids)
    assessment_ids: dict[int, list[int]] = {}
    for commitment_id, assessment_id in assessments.values_list("commitment_id", "pk"):
        assessment_ids.setdefault(commitment_id, []).append(assessment_id)
    replies = AssessmentReply._base_manager.filter(assessment__commitment_id__in=ids)
    reply_ids: dict[int, list[int]] = {}
    for commitment_id, reply_id in replies.values_list("assessment__commitment_id", "pk"):
        reply_ids.setdefault(commitment_id, []).append(reply_id)
    counts["replies"] = replies._raw_delete(replies.db)
    assessment_evidence = AssessmentEvidence._base_manager.filter(assessment__commitment_id__in=ids)
    for item in assessment_evidence.exclude(file=""):
        item.file.delete(save=False)
    counts["assessment_evidence"] = assessment_evidence._raw_delete(assessment_evidence.db)
    Commitment.objects.filter(pk__in=ids).update(latest_update=None, latest_assessment=None)
    counts["assessments"] = 0
    while assessments.exists():
        leaves = assessments.exclude(pk__in=assessments.exclude(corrects=None).values("corrects"))
        counts["assessments"] += leaves._raw_delete(leaves.db)
    counts["updates"] = 0
    # Corrections first, link by link: a correction PROTECTs the update it corrects.
    while updates.exists():
        leaves = updates.exclude(pk__in=updates.exclude(corrects=None).values("corrects"))
        counts["updates"] += leaves._raw_delete(leaves.db)
    counts["revisions"] = revisions._raw_delete(revisions.db)
    counts["commitments"] = (
        Commitment.objects.filter(pk__in=ids).delete()[1].get(Commitment._meta.label, 0)
    )
    ledger.append_many(
        ledger.deletion_entry(
            subject_type="commitment",
            subject_id=pk,
            state=state,
            commitment_id=pk,
            reason=reason,
            also_deleted={
                "update": update_ids.get(pk, []),
                "revision": revision_ids.get(pk, []),
                "assessment": assessment_ids.get(pk, []),
                "reply": reply_ids.get(pk, []),
            },
        )
        for pk, state in rows
    )
    return counts


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
    inspected = _inspect_uploads(files, errors)
    if errors:
        raise ValidationError(errors)
    return inspected


def _inspect_uploads(
    files: Sequence[UploadedFile], errors: dict[str, list[str]]
) -> list[InspectedUpload]:
    """The evidence content checks on every upload (progress and assessment evidence alike);
    what fails is added to ``errors["files"]``, named by file."""
    inspected = []
    for upload in files:
        try:
            inspected.append(inspect_upload(upload))
        except ValidationError as exc:
            errors.setdefault("files", []).extend(
                f"{upload.name}: {message}" for message in exc.messages
            )
    return inspected


def _add_evidence(
    model: type[EvidenceBase],
    *,
    parent: dict,
    links: Sequence[EvidenceLink],
    files: Sequence[UploadedFile],
    inspected: Sequence[InspectedUpload],
    is_demo: bool,
) -> None:
    """Store the evidence of a published record (``parent``: its field and row): links
    validated like any field, documents as :func:`_inspect_uploads` described them."""
    for link in links:
        evidence = model(
            **parent,
            kind=model.Kind.LINK,
            url=link.url,
            title=(link.title or link.url)[:250],
            is_demo=is_demo,
        )
        evidence.full_clean()
        evidence.save()
    for upload, meta in zip(files, inspected, strict=True):
        model.objects.create(
            **parent,
            kind=model.Kind.FILE,
            file=upload,
            title=(meta.title)[:250],
            content_type=meta.content_type,
            size_bytes=meta.size,
            sha256=meta.sha256,
            is_demo=is_demo,
        )


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
    _add_evidence(
        Evidence,
        parent={"update": update},
        links=links,
        files=files,
        inspected=inspected,
        is_demo=is_demo,
    )
    commitment_refresh_derived(commitment)
    ledger.append_update(update, state=commitment.state_id)
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
    _store_answered_reviews(commitments)
    ledger.append_many(ledger.entries_for_updates(update.pk for update in updates))
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
    resolution = reference_save(
        Resolution,
        resolution,
        RESOLUTION_FIELDS,
        user=user,
        history_reason=history_reason,
        links={"states": states},
        fields=fields,
    )
    logger.info("resolution saved", extra={"resolution": resolution.pk, "user": user.pk})
    return resolution


# What a person may set on a prevention step (its channels and risk factors are links).
STEP_FIELDS = tuple(
    name
    for name in PreventionStep.PUBLIC_FIELDS
    if name not in {"id", "channels", "risk_factors", "updated_at"}
)


@transaction.atomic
def step_save(
    *,
    user,
    step: PreventionStep | None = None,
    channels: Iterable[ScrutinyChannel] | None = None,
    risk_factors: Iterable[RiskFactor] | None = None,
    history_reason: str = "",
    **fields,
) -> PreventionStep:
    """Add a prevention step to the catalogue (``step`` None) or change one: the secretariat
    curates it; the model's rules (a unique slug ``code``, the vocabularies) as field errors;
    history kept (with the channels). Reference data, not a published event: not ledgered
    (D-11-1, D-14-10)."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat curates the catalogue of steps."))
    step = reference_save(
        PreventionStep,
        step,
        STEP_FIELDS,
        user=user,
        history_reason=history_reason,
        links={"channels": channels, "risk_factors": risk_factors},
        fields=fields,
    )
    logger.info("prevention step saved", extra={"step": step.pk, "user": user.pk})
    return step


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


# --- Independent assessments (issue 10; docs/scrutiny.md) ---------------------------------------


def commitment_refresh_independent(commitment: Commitment) -> Commitment:
    """Recompute the commitment's independent status and latest assessment from its published
    assessments (:func:`commitments.rules.derive_independent`): the one writer of those stored
    fields, called in the transaction of every publication. The disagreement flag needs no
    refresh: it is read from the two stored statuses (:func:`commitments.rules.disagreement_q`),
    so a progress update that moves the government's status moves it too."""
    published = Assessment.objects.published().filter(commitment_id=commitment.pk)
    status, latest_id = rules.derive_independent(
        published.only(
            "id", "organisation_id", "period_end", "published_at", "status", "corrects_id"
        )
    )
    commitment.independent_status = status
    commitment.latest_assessment_id = latest_id
    commitment.skip_history_when_saving = True  # derived fields are not a human change
    try:
        commitment.save(update_fields=["independent_status", "latest_assessment", "updated_at"])
    finally:
        del commitment.skip_history_when_saving
    return commitment


def _correction_check(
    corrects: Assessment,
    *,
    commitment: Commitment,
    organisation: Organisation,
    errors: dict[str, list[str]],
) -> None:
    """A correction is of a published assessment of the same commitment, by the same
    organisation, not already corrected (a rejected correction does not count)."""
    if corrects.commitment_id != commitment.pk:
        errors.setdefault("corrects", []).append(
            _("The assessment to correct is of another commitment.")
        )
    elif corrects.organisation_id != organisation.pk:
        raise PermissionDenied(_("Only its own organisation may correct an assessment."))
    elif not corrects.is_published:
        errors.setdefault("corrects", []).append(
            _("Only a published assessment can be corrected: submit a new one instead.")
        )
    elif corrects.corrections.exclude(
        moderation__in=[Moderation.REJECTED, Moderation.DRAFT]
    ).exists():
        errors.setdefault("corrects", []).append(
            _("This assessment has already been corrected: correct the latest correction.")
        )


def assessment_check(
    *,
    user,
    organisation: Organisation,
    commitment: Commitment,
    period_start: datetime.date,
    period_end: datetime.date,
    narrative: str,
    corrects: Assessment | None = None,
    files: Sequence[UploadedFile] = (),
) -> list[InspectedUpload]:
    """Authorise and validate an assessment (or a correction) without writing anything: the
    rules of :func:`assessment_submit`, for every surface. Raises PermissionDenied (not a
    member of the organisation, or a national organisation assessing another State) or
    ValidationError with field errors."""
    if not permissions.may_assess(user, organisation, commitment.state_id):
        raise PermissionDenied(
            _("You may not assess this commitment for this organisation.")
            if permissions.is_member(user, organisation)
            else _("You are not a member of this organisation.")
        )
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if period_end > today:
        errors.setdefault("period_end", []).append(_("The period cannot end in the future."))
    if period_start > period_end:
        errors.setdefault("period_end", []).append(_("The period cannot end before it starts."))
    if period_end < commitment.pledged_on:
        errors.setdefault("period_end", []).append(
            _("The period ends before the pledge (%(date)s).")
            % {"date": commitment.pledged_on.isoformat()}
        )
    if not narrative.strip():
        errors.setdefault("narrative", []).append(_("Say what you found, and how."))
    if corrects is not None:
        _correction_check(corrects, commitment=commitment, organisation=organisation, errors=errors)
    inspected = _inspect_uploads(files, errors)
    if errors:
        raise ValidationError(errors)
    return inspected


@transaction.atomic
def assessment_submit(
    *,
    user,
    organisation: Organisation,
    commitment: Commitment,
    status: str,
    period_start: datetime.date,
    period_end: datetime.date,
    narrative: str,
    channel: str,
    corrects: Assessment | None = None,
    links: Sequence[EvidenceLink] = (),
    files: Sequence[UploadedFile] = (),
    language: str | None = None,
    is_demo: bool = False,
    draft: bool = False,
) -> Assessment:
    """Submit an organisation's assessment of a commitment (or, with ``corrects``, a correction
    of one of its published assessments) with its evidence, for moderation. Nothing is public
    until a moderator publishes it (:func:`assessment_publish`). An organisation not yet
    approved may submit.

    With ``draft=True`` it is saved as a private draft instead (same rules): only its
    organisation's members see it, edit it (:func:`assessment_draft_update`), submit it
    (:func:`assessment_draft_submit`) or discard it (:func:`assessment_draft_discard`)."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if corrects is not None:  # as it stands now (the caller's copy may predate moderation)
        corrects = Assessment.objects.get(pk=corrects.pk)
    inspected = assessment_check(
        user=user,
        organisation=organisation,
        commitment=commitment,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        corrects=corrects,
        files=files,
    )
    is_demo = is_demo or commitment.is_demo
    assessment = Assessment(
        commitment=commitment,
        organisation=organisation,
        author=_author(user),
        status=status,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative.strip(),
        language=content_language(user, language),
        channel=channel,
        corrects=corrects,
        is_demo=is_demo,
        moderation=Moderation.DRAFT if draft else Moderation.SUBMITTED,
    )
    assessment.full_clean(exclude=["commitment", "organisation", "author", "corrects"])
    assessment.save()
    _add_evidence(
        AssessmentEvidence,
        parent={"assessment": assessment},
        links=links,
        files=files,
        inspected=inspected,
        is_demo=is_demo,
    )
    logger.info(
        "assessment draft saved" if draft else "assessment submitted",
        extra={
            "assessment": assessment.pk,
            "commitment": commitment.pk,
            "organisation": organisation.pk,
            "corrects": getattr(corrects, "pk", None),
            "user": getattr(user, "pk", None),
        },
    )
    return assessment


def _lock_draft(user, assessment: Assessment) -> Assessment:
    """The draft as stored, locked, if ``user`` may work on it: a member of its organisation
    who may assess the commitment's State (:func:`permissions.may_assess`). Anyone else —
    another organisation, a moderator, the State, the public — is refused as if it were not
    there; a draft already submitted is a ValidationError."""
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("organisation", "commitment", "corrects")
        .filter(pk=assessment.pk)
        .first()
    )
    if locked is None or not permissions.may_assess(
        user, locked.organisation, locked.commitment.state_id
    ):
        raise PermissionDenied(_("Only its own organisation may work on a draft."))
    if not locked.is_draft:
        raise ValidationError(
            _("This assessment is %(state)s: only a draft can be changed.")
            % {"state": locked.get_moderation_display().lower()}
        )
    return locked


def _delete_files_on_commit(names: Sequence[str]) -> None:
    """Remove stored documents once the rows that pointed at them are gone for good."""
    storage = AssessmentEvidence._meta.get_field("file").storage

    def remove():
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(remove)


@transaction.atomic
def assessment_draft_update(
    *,
    user,
    assessment: Assessment,
    status: str,
    period_start: datetime.date,
    period_end: datetime.date,
    narrative: str,
    channel: str,
    language: str | None = None,
    links: Sequence[EvidenceLink] = (),
    files: Sequence[UploadedFile] = (),
    remove_evidence: Sequence[int] = (),
) -> Assessment:
    """Change a draft: its content, under :func:`assessment_submit`'s rules; ``links`` and
    ``files`` are added to its evidence, ``remove_evidence`` (ids of its own evidence) taken
    away, documents deleted from storage. The organisation does not change (a draft for
    another one is a new draft)."""
    draft = _lock_draft(user, assessment)
    inspected = assessment_check(
        user=user,
        organisation=draft.organisation,
        commitment=draft.commitment,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        corrects=draft.corrects,
        files=files,
    )
    draft.status = status
    draft.period_start = period_start
    draft.period_end = period_end
    draft.narrative = narrative.strip()
    draft.channel = channel
    draft.language = content_language(user, language)
    draft.full_clean(exclude=["commitment", "organisation", "author", "corrects"])
    draft.save()
    removed = AssessmentEvidence.objects.filter(assessment=draft, pk__in=list(remove_evidence))
    names = [name for name in removed.values_list("file", flat=True) if name]
    models.QuerySet.delete(removed)
    _delete_files_on_commit(names)
    _add_evidence(
        AssessmentEvidence,
        parent={"assessment": draft},
        links=links,
        files=files,
        inspected=inspected,
        is_demo=draft.is_demo,
    )
    logger.info(
        "assessment draft changed",
        extra={"assessment": draft.pk, "user": getattr(user, "pk", None)},
    )
    return draft


@transaction.atomic
def assessment_draft_submit(*, user, assessment: Assessment) -> Assessment:
    """Submit a draft for moderation: checked again as it stands (the period, the correction's
    rules), then *submitted* — fixed from then on, as if submitted in one go; its submission
    time is now."""
    Commitment.objects.select_for_update().filter(pk=assessment.commitment_id).first()
    draft = _lock_draft(user, assessment)
    if draft.corrects_id is not None:
        draft.corrects = Assessment.objects.get(pk=draft.corrects_id)
    assessment_check(
        user=user,
        organisation=draft.organisation,
        commitment=draft.commitment,
        period_start=draft.period_start,
        period_end=draft.period_end,
        narrative=draft.narrative,
        corrects=draft.corrects,
    )
    draft.moderation = Moderation.SUBMITTED
    draft.created_at = timezone.now()
    draft.save(update_fields=["moderation", "created_at", "updated_at"])
    logger.info(
        "assessment submitted",
        extra={"assessment": draft.pk, "user": getattr(user, "pk", None), "from_draft": True},
    )
    return draft


@transaction.atomic
def assessment_draft_discard(*, user, assessment: Assessment) -> None:
    """Discard a draft: the row, its evidence and its stored documents are deleted (a draft
    was never submitted, public or ledgered: nothing to keep)."""
    draft = _lock_draft(user, assessment)
    names = [
        name
        for name in AssessmentEvidence.objects.filter(assessment=draft).values_list(
            "file", flat=True
        )
        if name
    ]
    Assessment.objects.discard_draft(draft.pk)
    _delete_files_on_commit(names)
    logger.info(
        "assessment draft discarded",
        extra={"assessment": assessment.pk, "user": getattr(user, "pk", None)},
    )


def assessment_correct(*, user, corrects: Assessment, **fields) -> Assessment:
    """Submit a correction of a published assessment, for the same commitment and by the same
    organisation (:func:`assessment_submit`'s rules). Both stay public once it is published."""
    return assessment_submit(
        user=user,
        organisation=corrects.organisation,
        commitment=corrects.commitment,
        corrects=corrects,
        **fields,
    )


def _authorise_moderation(user, assessment: Assessment) -> None:
    if not permissions.may_moderate(user):
        raise PermissionDenied(_("Only the secretariat moderates assessments."))
    if permissions.is_member(user, assessment.organisation_id):
        raise PermissionDenied(
            _(
                "You are a member of the organisation that made this assessment: another "
                "moderator must decide."
            )
        )


def _lock_for_moderation(assessment: Assessment) -> Assessment:
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=assessment.pk)
    )
    return locked


@transaction.atomic
def assessment_publish(*, user, assessment: Assessment) -> Assessment:
    """Publish a submitted assessment: a moderator (not of its own organisation), and only once
    the organisation is approved. Public from then on, for good: the ledger records it, and the
    commitment's independent status is derived again in the same transaction."""
    _authorise_moderation(user, assessment)
    Commitment.objects.select_for_update().filter(pk=assessment.commitment_id).first()
    assessment = _lock_for_moderation(assessment)
    if assessment.moderation != Moderation.SUBMITTED:
        raise ValidationError(
            _("This assessment is %(state)s: only a submitted one can be published.")
            % {"state": assessment.get_moderation_display().lower()}
        )
    if not permissions.may_publish_for(assessment.organisation):
        raise ValidationError(
            _(
                "%(organisation)s is not approved yet: nothing it submits can be published "
                "until the secretariat approves it."
            )
            % {"organisation": assessment.organisation.name}
        )
    now = timezone.now()
    assessment.moderation = Moderation.PUBLISHED
    assessment.published_at = now
    assessment.moderated_at = now
    assessment.moderated_by = _author(user)
    assessment.save(
        update_fields=["moderation", "published_at", "moderated_at", "moderated_by", "updated_at"]
    )
    commitment_refresh_independent(Commitment.objects.get(pk=assessment.commitment_id))
    ledger.append_assessment(assessment, state=_state_of(assessment))
    logger.info(
        "assessment published",
        extra={"assessment": assessment.pk, "user": getattr(user, "pk", None)},
    )
    return assessment


def _state_of(assessment: Assessment) -> str:
    return Commitment.objects.values_list("state_id", flat=True).get(pk=assessment.commitment_id)


@transaction.atomic
def assessment_reject(*, user, assessment: Assessment, reason: str) -> Assessment:
    """Reject a submitted assessment with a reason, shown to its organisation only. A rejected
    assessment is never public; the organisation may submit a new one."""
    _authorise_moderation(user, assessment)
    assessment = _lock_for_moderation(assessment)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why: the reason is shown to the author.")]})
    if assessment.moderation != Moderation.SUBMITTED:
        raise ValidationError(
            _("This assessment is %(state)s: only a submitted one can be rejected.")
            % {"state": assessment.get_moderation_display().lower()}
        )
    assessment.moderation = Moderation.REJECTED
    assessment.rejection_reason = reason.strip()
    assessment.moderated_at = timezone.now()
    assessment.moderated_by = _author(user)
    assessment.save(
        update_fields=[
            "moderation",
            "rejection_reason",
            "moderated_at",
            "moderated_by",
            "updated_at",
        ]
    )
    logger.info(
        "assessment rejected",
        extra={"assessment": assessment.pk, "user": getattr(user, "pk", None)},
    )
    return assessment


@transaction.atomic
def assessment_dispute(*, user, assessment: Assessment, reason: str) -> Assessment:
    """Mark a published assessment "disputed by the secretariat" with a public reason (it is
    never unpublished). Once; the ledger records it."""
    if not permissions.may_dispute(user):
        raise PermissionDenied(_("Only the secretariat disputes assessments."))
    assessment = _lock_for_moderation(assessment)
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": [_("Say why the secretariat disputes it: the reason is public.")]}
        )
    if not assessment.is_published:
        raise ValidationError(_("Only a published assessment can be disputed."))
    if assessment.is_disputed:
        raise ValidationError(_("The secretariat has already disputed this assessment."))
    assessment.disputed_at = timezone.now()
    assessment.dispute_reason = reason.strip()
    assessment.disputed_by = _author(user)
    assessment.save(update_fields=["disputed_at", "dispute_reason", "disputed_by", "updated_at"])
    ledger.append_assessment(assessment, state=_state_of(assessment), disputed=True)
    logger.info(
        "assessment disputed",
        extra={"assessment": assessment.pk, "user": getattr(user, "pk", None)},
    )
    return assessment


@transaction.atomic
def assessment_reply_publish(
    *, user, assessment: Assessment, text: str, language: str | None = None
) -> AssessmentReply:
    """Publish the State's reply to a published assessment of one of its commitments: its focal
    point or a delegate (:func:`focalpoints.permissions.may_reply`), once per assessment. The
    organisation's members are told by e-mail after the commit (exactly once)."""
    assessment = _lock_for_moderation(assessment)
    state = _state_of(assessment)
    if not permissions.may_reply(user, state):
        raise PermissionDenied(_("Only the State's focal point or a delegate may reply."))
    if not assessment.is_published:
        raise ValidationError(_("Only a published assessment can be replied to."))
    if AssessmentReply.objects.filter(assessment=assessment).exists():
        raise ValidationError(_("The State has already replied to this assessment."))
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write the reply.")]})
    reply = AssessmentReply(
        assessment=assessment,
        author=_author(user),
        text=text.strip(),
        language=content_language(user, language),
        is_demo=assessment.is_demo,
    )
    reply.full_clean(exclude=["assessment", "author"])
    reply.save()
    ledger.append_reply(reply, state=state, commitment_id=assessment.commitment_id)
    from commitments.tasks import assessment_reply_notify

    assessment_reply_notify.delay_on_commit(reply.pk)
    logger.info("reply published", extra={"reply": reply.pk, "user": getattr(user, "pk", None)})
    return reply


def assessment_reply_notify(reply_id: int, *, connection=None) -> int:
    """Tell the members of the assessing organisation that the State replied: claimed on the
    reply before sending (a rerun, or a redelivered task, sends nothing), one message per
    active member in their language, composed by ``ASSESSMENT_REPLY_EMAIL``. Returns how many
    were sent."""
    from django.contrib.auth import get_user_model
    from django.utils.module_loading import import_string

    if not AssessmentReply.objects.claim_notice(reply_id, timezone.now()):
        return 0
    reply = AssessmentReply.objects.select_related(
        "assessment__organisation", "assessment__commitment__state"
    ).get(pk=reply_id)
    members = (
        get_user_model()
        .objects.filter(
            organisation_memberships__organisation_id=reply.assessment.organisation_id,
            organisation_memberships__is_active=True,
            is_active=True,
        )
        .exclude(email="")
    )
    compose = import_string(settings.ASSESSMENT_REPLY_EMAIL)
    sent = 0
    for member in members.order_by("pk"):
        compose(reply, recipient=member, connection=connection).send(fail_silently=False)
        sent += 1
    logger.info("reply notice sent", extra={"reply": reply_id, "recipients": sent})
    return sent
