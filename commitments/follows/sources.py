"""What a follower can be told about: one small source per kind of event.

Each source has two functions:

* ``collect(start, end, today)`` — the events that happened in ``[start, end)`` (aware
  datetimes), as :class:`Event` rows with the commitment each concerns (its State and step
  decide who follows it). One query, whatever the number of followers.
* ``describe(ids, language)`` — for the events one digest lists: ``{id: Line}`` (the public
  page of each and what to say about it). One query per kind present in the digest.

Only public events are sources: progress updates are public once they exist (drafts live
apart), overdue reviews follow the review rules of ``commitments.models`` (``overdue_q``), and
independent assessments and replies count only once published.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from commitments.follows.models import FollowNotice
from commitments.models import (
    Assessment,
    AssessmentReply,
    Commitment,
    ProgressUpdate,
    overdue_q,
)

Kind = FollowNotice.Kind


@dataclass(frozen=True)
class Event:
    kind: str
    object_id: int
    commitment_id: int
    state_id: str
    step_id: int
    occurred_at: datetime.datetime
    due_on: datetime.date | None = None

    @property
    def key(self) -> str:
        """The event's identity in the notice table's unique constraint."""
        if self.kind == Kind.OVERDUE:
            return f"{self.kind}:{self.object_id}:{self.due_on.isoformat()}"
        return f"{self.kind}:{self.object_id}"


@dataclass(frozen=True)
class Line:
    """What a digest says about one event, besides its commitment: the public page it links
    to and, where the kind has them, the status reported and the organisation."""

    path: str
    status: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class Source:
    kinds: tuple[str, ...]
    collect: Callable[[datetime.datetime, datetime.datetime, datetime.date], list[Event]]
    describe: Callable[[Iterable[int], str], dict[int, Line]]


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone()
    )


# --- Progress updates and corrections ----------------------------------------------------------


def updates_collect(start, end, today) -> list[Event]:
    rows = (
        ProgressUpdate.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("id")
        .values_list(
            "id",
            "corrects_id",
            "commitment_id",
            "commitment__state_id",
            "commitment__step_id",
            "created_at",
        )
    )
    return [
        Event(
            kind=Kind.CORRECTION if corrects_id else Kind.UPDATE,
            object_id=pk,
            commitment_id=commitment_id,
            state_id=state_id,
            step_id=step_id,
            occurred_at=created_at,
        )
        for pk, corrects_id, commitment_id, state_id, step_id, created_at in rows
    ]


def updates_describe(ids, language) -> dict[int, Line]:
    rows = ProgressUpdate.objects.filter(pk__in=list(ids)).select_related("commitment")
    return {
        update.pk: Line(path=update.get_absolute_url(), status=str(update.get_status_display()))
        for update in rows
    }


# --- Reviews that became overdue ----------------------------------------------------------------


def overdue_collect(start, end, today) -> list[Event]:
    """Commitments overdue today (``overdue_q``) that were not yet overdue on the first day
    of the period: their review became overdue within it (on the day after it fell due)."""
    first_day = timezone.localtime(start, timezone.get_default_timezone()).date()
    rows = (
        Commitment.objects.filter(overdue_q(today))
        .exclude(overdue_q(first_day))
        .order_by("id")
        .values_list("id", "state_id", "step_id", "next_review_due")
    )
    return [
        Event(
            kind=Kind.OVERDUE,
            object_id=pk,
            commitment_id=pk,
            state_id=state_id,
            step_id=step_id,
            occurred_at=_start_of(due_on + datetime.timedelta(days=1)),
            due_on=due_on,
        )
        for pk, state_id, step_id, due_on in rows
    ]


def overdue_describe(ids, language) -> dict[int, Line]:
    rows = Commitment.objects.filter(pk__in=list(ids)).only("id", "next_review_due")
    return {commitment.pk: Line(path=commitment.get_absolute_url()) for commitment in rows}


# --- Independent assessments and the State's replies (published only) -------------------------


def assessments_collect(start, end, today) -> list[Event]:
    """Assessments published in the period (corrections included: they are assessments too).
    Submitted and rejected ones are never public, so never told."""
    rows = (
        Assessment.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .order_by("id")
        .values_list(
            "id", "commitment_id", "commitment__state_id", "commitment__step_id", "published_at"
        )
    )
    return [
        Event(Kind.ASSESSMENT, pk, commitment_id, state_id, step_id, published_at)
        for pk, commitment_id, state_id, step_id, published_at in rows
    ]


def assessments_describe(ids, language) -> dict[int, Line]:
    rows = (
        Assessment.objects.published()
        .filter(pk__in=list(ids))
        .select_related("organisation", "commitment")
    )
    return {
        assessment.pk: Line(
            path=assessment.get_absolute_url(),
            status=str(assessment.get_status_display()),
            organisation=assessment.organisation.name,
        )
        for assessment in rows
    }


def replies_collect(start, end, today) -> list[Event]:
    rows = (
        AssessmentReply.objects.filter(
            published_at__gte=start,
            published_at__lt=end,
            assessment__in=Assessment.objects.published(),
        )
        .order_by("id")
        .values_list(
            "id",
            "assessment__commitment_id",
            "assessment__commitment__state_id",
            "assessment__commitment__step_id",
            "published_at",
        )
    )
    return [
        Event(Kind.REPLY, pk, commitment_id, state_id, step_id, published_at)
        for pk, commitment_id, state_id, step_id, published_at in rows
    ]


def replies_describe(ids, language) -> dict[int, Line]:
    rows = AssessmentReply.objects.filter(
        pk__in=list(ids), assessment__in=Assessment.objects.published()
    ).select_related("assessment__organisation", "assessment__commitment")
    return {
        reply.pk: Line(
            path=reply.get_absolute_url(), organisation=reply.assessment.organisation.name
        )
        for reply in rows
    }


SOURCES: list[Source] = [
    Source((Kind.UPDATE, Kind.CORRECTION), updates_collect, updates_describe),
    Source((Kind.OVERDUE,), overdue_collect, overdue_describe),
    Source((Kind.ASSESSMENT,), assessments_collect, assessments_describe),
    Source((Kind.REPLY,), replies_collect, replies_describe),
]


def source_for(kind: str) -> Source:
    return next(source for source in SOURCES if kind in source.kinds)
