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
from commitments.models import Commitment, ProgressUpdate, overdue_q

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
    """What a digest says about one event, besides its commitment: a detail (a status, a
    date) and the public page it links to."""

    detail: str
    path: str


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
        update.pk: Line(
            detail=str(update.get_status_display()),
            path=update.get_absolute_url(),
        )
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
    return {
        commitment.pk: Line(detail="", path=commitment.get_absolute_url()) for commitment in rows
    }


SOURCES: list[Source] = [
    Source((Kind.UPDATE, Kind.CORRECTION), updates_collect, updates_describe),
    Source((Kind.OVERDUE,), overdue_collect, overdue_describe),
]


def source_for(kind: str) -> Source:
    return next(source for source in SOURCES if kind in source.kinds)
