"""Business rules of the review cycle, as pure functions of plain data: how a commitment's
status is derived from its updates, and when its next review is due. Every surface (forms,
API, admin, tasks, commands, dashboards) gets these answers from here."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import F, Q
from django.utils.translation import gettext as _

from commitments.models import CLOSED_STATUSES, ORIGIN_FIELDS, Status


class UpdateLike(Protocol):
    id: int
    reported_on: datetime.date
    created_at: datetime.datetime
    status: str
    corrects_id: int | None


@dataclass(frozen=True)
class DerivedState:
    status: str
    latest_update_id: int | None
    last_reported_on: datetime.date | None


def effective_updates(updates: Iterable[UpdateLike]) -> list[UpdateLike]:
    """Updates that no other update corrects, oldest first."""
    updates = list(updates)
    superseded = {u.corrects_id for u in updates if u.corrects_id is not None}
    return sorted(
        (u for u in updates if u.id not in superseded),
        key=lambda u: (u.reported_on, u.created_at, u.id),
    )


def derive_status(updates: Iterable[UpdateLike]) -> DerivedState:
    """The status of the latest non-superseded update (by reporting date, then publication).

    A correction replaces the update it corrects; if the correction is itself corrected, the
    newest link of the chain counts. No update at all means "not yet reported".
    """
    effective = effective_updates(updates)
    if not effective:
        return DerivedState(Status.NOT_REPORTED, None, None)
    latest = effective[-1]
    return DerivedState(latest.status, latest.id, latest.reported_on)


@dataclass(frozen=True)
class Derived:
    """Everything a commitment derives from its updates (the stored derived fields)."""

    status: str
    latest_update_id: int | None
    last_reported_on: datetime.date | None
    next_review_due: datetime.date | None


def derive(
    updates: Iterable[UpdateLike],
    *,
    pledged_on: datetime.date,
    review_interval_days: int,
    withdrawn: bool = False,
) -> Derived:
    """A commitment's status, the update that sets it, when it was last reported and when
    its next review is due — from its updates and terms. The one derivation every writer
    stores (``commitments.services``). A pledge withdrawn by a revision is withdrawn whatever
    its updates say (they stay public)."""
    state = derive_status(updates)
    if withdrawn:
        state = DerivedState(Status.WITHDRAWN, state.latest_update_id, state.last_reported_on)
    return Derived(
        status=state.status,
        latest_update_id=state.latest_update_id,
        last_reported_on=state.last_reported_on,
        next_review_due=next_review_due(
            status=state.status,
            pledged_on=pledged_on,
            last_reported_on=state.last_reported_on,
            review_interval_days=review_interval_days,
        ),
    )


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def next_review_due(
    *,
    status: str,
    pledged_on: datetime.date,
    last_reported_on: datetime.date | None,
    review_interval_days: int,
) -> datetime.date | None:
    """One review interval after the latest update, or after the pledge if there is none.
    Completed and withdrawn commitments owe no review."""
    if status in CLOSED_STATUSES:
        return None
    return add_days(last_reported_on or pledged_on, review_interval_days)


def origin_errors(origin: str, values: dict) -> dict[str, list[str]]:
    """What is missing or out of place in a pledge's origin: each origin needs its own fields
    (a UPR recommendation: cycle, recommending States, the recommendation, the response; a
    resolution: the operative paragraph; a statement: forum and date) and no other's.
    ``values`` maps every origin field to its value. Pure: the services call it."""
    needed = {
        "upr-recommendation": ORIGIN_FIELDS["upr-recommendation"],
        "resolution-paragraph": ("operative_paragraph",),
        "statement": ("statement_forum", "statement_on"),
    }.get(origin, ())
    own = ORIGIN_FIELDS.get(origin, ())
    errors: dict[str, list[str]] = {}
    for name in needed:
        if values.get(name) in (None, ""):
            errors[name] = [_("Needed for this origin.")]
    for name, value in values.items():
        if name not in own and value not in (None, ""):
            errors[name] = [_("Only for another origin: leave it empty, or change the origin.")]
    return errors


# --- Reporting cycles, replayed from the dated updates ------------------------------------------


class Outcome:
    """How one owed review was answered (``ReviewCycle.outcome``)."""

    ON_TIME = "on-time"  # reported on or before the due date (early included)
    LATE = "late"  # reported after the due date
    MISSING = "missing"  # not reported, and the due date has passed
    PENDING = "pending"  # not reported yet, and not yet overdue (due today or later)


@dataclass(frozen=True)
class ReviewCycle:
    """One review a commitment owed: when it fell due, and the report that answered it (the
    first effective update after the cycle opened), if any."""

    due_on: datetime.date
    reported_on: datetime.date | None

    def outcome(self, today: datetime.date) -> str:
        if self.reported_on is not None:
            return Outcome.ON_TIME if self.reported_on <= self.due_on else Outcome.LATE
        # The same boundary as ``overdue_q``: overdue the day after the due date.
        return Outcome.MISSING if self.due_on < today else Outcome.PENDING

    def overdue_on(self, day: datetime.date) -> bool:
        """Was this review overdue at the end of ``day`` (due before it, not yet answered)?"""
        return self.due_on < day and (self.reported_on is None or self.reported_on > day)


def review_cycles(
    updates: Iterable[tuple[datetime.date, str]],
    *,
    pledged_on: datetime.date,
    review_interval_days: int,
) -> list[ReviewCycle]:
    """Every review a commitment owed, replayed from its effective updates (``(reported_on,
    status)`` pairs, oldest first, as :func:`effective_updates` orders them) by the rule of
    :func:`next_review_due`: the first review falls due one interval after the pledge; each
    report answers the review then owed and opens the next, one interval after it; a complete
    or withdrawn status owes nothing more. The last cycle is unanswered unless the commitment
    is closed."""
    cycles = []
    due = add_days(pledged_on, review_interval_days)
    for reported_on, status in updates:
        if due is None:  # reported after closing: it reopens the cycle
            due = add_days(reported_on, review_interval_days)
            if status in CLOSED_STATUSES:
                due = None
            continue
        cycles.append(ReviewCycle(due_on=due, reported_on=reported_on))
        due = None if status in CLOSED_STATUSES else add_days(reported_on, review_interval_days)
    if due is not None:
        cycles.append(ReviewCycle(due_on=due, reported_on=None))
    return cycles


# --- Independent scrutiny: the status scale and the disagreement rule (D-10-1) ------------------
#
# The government's status and an assessor's are on the same vocabulary. The completion levels
# are ordered, once, here:
SCALE: tuple[str, ...] = (
    Status.NOT_STARTED,
    Status.LIMITED,
    Status.SUBSTANTIAL,
    Status.COMPLETE,
)
# Off the scale:
# - "withdrawn" says the pledge was abandoned: it is no level of progress. It agrees only with
#   "withdrawn"; against any level it disagrees (a government reporting "complete" and an
#   assessor finding the pledge abandoned — or the reverse — disagree at least as much as two
#   levels apart do).
# - "not yet reported" (and an empty status: no published assessment) is no claim at all, so
#   nothing can disagree with it: no flag until both sides have said something.
NO_CLAIM: frozenset[str] = frozenset({Status.NOT_REPORTED, ""})


def level(status: str) -> int | None:
    """The position of a status on the scale (0 = not started … 3 = complete), or None for a
    status off the scale (withdrawn, not yet reported)."""
    try:
        return SCALE.index(status)
    except ValueError:
        return None


def disagrees(government_status: str | None, independent_status: str | None) -> bool:
    """Does an independent status disagree with the government's? When they differ by at least
    one level of the scale; withdrawn disagrees with every level and agrees with withdrawn;
    nothing disagrees with "not yet reported" or with no assessment. The SQL form is
    :func:`disagreement_q`; tests hold the two to the same answer at every pair."""
    government, independent = government_status or "", independent_status or ""
    if government in NO_CLAIM or independent in NO_CLAIM:
        return False
    levels = level(government), level(independent)
    if None in levels:  # withdrawn on one side at least
        return government != independent
    return abs(levels[0] - levels[1]) >= 1


def gap(government_status: str | None, independent_status: str | None) -> int | None:
    """Levels from the government's status to the independent one (negative: the assessor
    finds less progress than the government reports), or None when either is off the scale."""
    government, independent = level(government_status or ""), level(independent_status or "")
    if government is None or independent is None:
        return None
    return independent - government


def independently_assessed_q(prefix: str = "") -> Q:
    """At least one independent assessment is published (the commitment's stored
    ``independent_status`` is set)."""
    return ~Q(**{f"{prefix}independent_status": ""})


def disagreement_q(prefix: str = "") -> Q:
    """The SQL form of :func:`disagrees` on a commitment's stored ``status`` and
    ``independent_status``: both make a claim and they differ (on the scale, differing by at
    least one level *is* differing; withdrawn differs from every level)."""
    claims = sorted(s for s in Status.values if s not in NO_CLAIM)
    return (
        Q(**{f"{prefix}status__in": claims})
        & Q(**{f"{prefix}independent_status__in": claims})
        & ~Q(**{f"{prefix}status": F(f"{prefix}independent_status")})
    )


class AssessmentLike(Protocol):
    id: int
    organisation_id: int
    period_end: datetime.date
    published_at: datetime.datetime
    status: str
    corrects_id: int | None


def effective_assessments(published: Iterable[AssessmentLike]) -> list[AssessmentLike]:
    """Published assessments that no published correction supersedes, oldest first (by the end
    of the period assessed, then publication): a correction replaces the one it corrects once
    it is itself published; a rejected or pending correction changes nothing."""
    published = list(published)
    superseded = {a.corrects_id for a in published if a.corrects_id is not None}
    return sorted(
        (a for a in published if a.id not in superseded),
        key=lambda a: (a.period_end, a.published_at, a.id),
    )


def latest_by_organisation(published: Iterable[AssessmentLike]) -> dict[int, AssessmentLike]:
    """Each organisation's latest effective assessment (what the commitment page shows beside
    the government's status, one per organisation)."""
    latest: dict[int, AssessmentLike] = {}
    for assessment in effective_assessments(published):
        latest[assessment.organisation_id] = assessment
    return latest


def derive_independent(published: Iterable[AssessmentLike]) -> tuple[str, int | None]:
    """The commitment's independent status and the assessment that sets it: the latest
    effective published assessment, whichever organisation made it (D-10-2); ``("", None)``
    while none is published. Disputed assessments count (the dispute is shown beside them)."""
    effective = effective_assessments(published)
    if not effective:
        return "", None
    latest = effective[-1]
    return latest.status, latest.id
