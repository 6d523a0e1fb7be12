"""Reads that span relations in the commitments domain. Views, API, tasks and dashboards
call these rather than re-writing the filters."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    IntegerChoices,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models import (
    Assessment,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    Moderation,
    ProgressUpdate,
    Reminder,
    Resolution,
    RevisionRequest,
    due_soon_q,
    overdue_q,
)
from focalpoints.models import FocalPoint, Organisation


def review_today() -> datetime.date:
    """The date reviews are judged against: today in the site's time zone (TIME_ZONE), whatever
    zone the current user has activated for display."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def commitments_with_relations(
    queryset: QuerySet[Commitment] | None = None,
) -> QuerySet[Commitment]:
    """Commitments with what every list shows (State, step, latest update) in one query."""
    queryset = Commitment.objects.all() if queryset is None else queryset
    return queryset.select_related("state", "step", "latest_update")


def commitments_overdue(today: datetime.date | None = None) -> QuerySet[Commitment]:
    return commitments_with_relations(Commitment.objects.overdue(today or review_today()))


class Urgency(IntegerChoices):
    """How pressing a commitment's review is (the workspace sorts and flags by it)."""

    OVERDUE = 0, _("Review overdue")
    DUE_SOON = 1, _("Review due soon")
    SCHEDULED = 2, _("Review scheduled")
    NONE_OWED = 3, _("No review owed")


def urgency(today: datetime.date) -> Case:
    """An expression giving each commitment's :class:`Urgency` on ``today``."""
    return Case(
        When(overdue_q(today), then=Value(Urgency.OVERDUE)),
        When(due_soon_q(today), then=Value(Urgency.DUE_SOON)),
        When(next_review_due__isnull=True, then=Value(Urgency.NONE_OWED)),
        default=Value(Urgency.SCHEDULED),
        output_field=IntegerField(),
    )


def commitments_for_states(state_codes, today: datetime.date | None = None) -> QuerySet[Commitment]:
    """The workspace list: overdue first, then due within the reminder window, then the
    rest by due date, closed commitments (no review owed) last. Each row carries ``urgency``
    (an :class:`Urgency`)."""
    return (
        commitments_with_relations(Commitment.objects.filter(state_id__in=state_codes))
        .annotate(urgency=urgency(today or review_today()))
        .order_by("urgency", F("next_review_due").asc(nulls_last=True), "title", "id")
    )


def resolutions_matching(query: str) -> QuerySet[Resolution]:
    """Resolutions whose symbol or title contains every word of ``query`` (any case)."""
    queryset = Resolution.objects.all()
    for word in query.split():
        queryset = queryset.filter(Q(symbol__icontains=word) | Q(title__icontains=word))
    return queryset


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: object  # the user, or None for a change made by a script
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's codes)
    changes: list[FieldChange]
    reason: str = ""  # e.g. "imported from pledges.xlsx by secretariat"


def _history_value(field, value, related: dict):
    if value is None or value == "":
        return None
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        return related.get((field.related_model, value), value)
    return value


def commitment_changes(commitment: Commitment) -> list[HistoryEntry]:
    """Who changed what on a commitment and when, newest first, from its history records
    (two queries, however long the history). Derived fields (status, next review) are not
    a person's change and are not shown here; the updates timeline explains them."""
    records = list(
        commitment.history.select_related("history_user").order_by("history_date", "history_id")
    )
    deltas = [
        record.diff_against(previous) if previous is not None else None
        for previous, record in zip([None, *records], records, strict=False)
    ]
    fields = {field.name: field for field in Commitment._meta.get_fields() if field.concrete}
    wanted: dict = {}
    for delta in filter(None, deltas):
        for change in delta.changes:
            field = fields[change.field]
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update({change.old, change.new})
    related = {
        (model, obj.pk): obj
        for model, pks in wanted.items()
        for obj in model._default_manager.filter(pk__in=pks - {None})
    }
    entries = []
    for record, delta in zip(records, deltas, strict=True):
        changes = [
            FieldChange(
                label=str(fields[change.field].verbose_name),
                old=_history_value(fields[change.field], change.old, related),
                new=_history_value(fields[change.field], change.new, related),
            )
            for change in (delta.changes if delta else [])
        ]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return entries[::-1]


def updates_timeline(commitment: Commitment) -> QuerySet[ProgressUpdate]:
    """A commitment's updates, oldest first, with evidence, author, and what corrects what."""
    return (
        commitment.updates.select_related("author", "corrects", "import_run__uploaded_by")
        .prefetch_related("evidence")
        .order_by("reported_on", "created_at", "id")
    )


DEMO_CACHE_KEY = "commitments:demo-data-present"


def demo_data_present() -> bool:
    """True while any demonstration row exists (every page then shows the notice). Cached for
    five minutes; ``forget_demo_data_flag`` clears it when demo data is added or removed."""
    present = cache.get(DEMO_CACHE_KEY)
    if present is None:
        present = (
            Commitment.objects.filter(is_demo=True).exists()
            or get_user_model().objects.filter(is_demo=True).exists()
            or FocalPoint.objects.filter(is_demo=True).exists()
        )
        cache.set(DEMO_CACHE_KEY, present, 300)
    return present


def forget_demo_data_flag() -> None:
    cache.delete(DEMO_CACHE_KEY)


def reminders_sent_to(user, *, limit: int = 20) -> QuerySet[Reminder]:
    """The review reminders a person was sent, newest first (for their workspace), with the
    commitment and State each names: one query."""
    if user is None or not user.is_authenticated:
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(recipient=user, outcome=Reminder.Outcome.SENT)
        .select_related("commitment__state")
        .order_by("-sent_at", "-id")[:limit]
    )


def revision_requests_pending() -> QuerySet[RevisionRequest]:
    """Requests waiting for the secretariat, oldest first (one query: the commitment, its
    State and the requester joined)."""
    return (
        RevisionRequest.objects.filter(decision=RevisionRequest.Decision.PENDING)
        .select_related("commitment__state", "requested_by")
        .order_by("created_at", "pk")
    )


def commitment_revisions(commitment_id: int) -> QuerySet[CommitmentRevision]:
    """A commitment's public revisions, oldest first."""
    return CommitmentRevision.objects.filter(commitment_id=commitment_id).order_by(
        "created_at", "pk"
    )


# --- Independent scrutiny -----------------------------------------------------------------------


def _assessments_with_relations() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "organisation__country", "commitment__state", "commitment__step", "corrects", "reply"
    ).prefetch_related("evidence")


def assessments_of_organisations(organisation_ids) -> QuerySet[Assessment]:
    """Everything the organisations submitted (their assessor workspace), newest first."""
    return (
        _assessments_with_relations()
        .filter(organisation_id__in=organisation_ids)
        .order_by("-created_at", "-id")
    )


def assessments_awaiting_moderation() -> QuerySet[Assessment]:
    """The moderation queue: submitted assessments, oldest first."""
    return _assessments_with_relations().awaiting_moderation().order_by("created_at", "id")


def moderation_counts() -> dict[str, int]:
    """How many assessments stand in each moderation state, and how many are disputed (one
    query)."""
    counts = Assessment.objects.aggregate(
        submitted=Count("pk", filter=Q(moderation=Moderation.SUBMITTED)),
        published=Count("pk", filter=Q(moderation=Moderation.PUBLISHED)),
        rejected=Count("pk", filter=Q(moderation=Moderation.REJECTED)),
        disputed=Count("pk", filter=Q(disputed_at__isnull=False)),
        unapproved=Count(
            "pk",
            filter=Q(moderation=Moderation.SUBMITTED)
            & ~Q(organisation__status=Organisation.Status.APPROVED),
        ),
    )
    return counts


def published_assessments_for_states(state_codes) -> QuerySet[Assessment]:
    """Published assessments of the States' commitments (the focal point's view, with the
    reply form where none is published yet), newest first."""
    return (
        _assessments_with_relations()
        .published()
        .filter(commitment__state_id__in=list(state_codes))
        .order_by("-published_at", "-id")
    )


def commitment_assessments(commitment_id: int) -> list[Assessment]:
    """A commitment's published assessments with their evidence, corrections and replies, in
    the order of the timeline (publication). Two queries whatever their number."""
    return list(
        Assessment.objects.published()
        .filter(commitment_id=commitment_id)
        .select_related("organisation__country", "reply")
        .prefetch_related("evidence")
        .order_by("published_at", "id")
    )


# --- Independent scrutiny: what the public surfaces may show (issue 10) -------------------------


def public_assessments() -> QuerySet:
    """The independent assessments every public surface may show (API, CSVs, the open-data
    zip, feeds, counts): published ones only — never one waiting for moderation or rejected."""
    return Assessment.objects.published()


def public_assessment_replies() -> QuerySet:
    """The States' replies (a reply exists only to a published assessment; held to it anyway)."""
    return AssessmentReply.objects.filter(assessment__moderation=Moderation.PUBLISHED)


def public_organisations() -> QuerySet:
    """Assessor organisations the public may see: those the secretariat approved (never one
    waiting for approval)."""
    return Organisation.objects.filter(status=Organisation.Status.APPROVED)
