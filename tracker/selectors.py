"""Reads for the public pages. They span the other apps, so they live here, at the top."""

import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from commitments import rules
from commitments.models import (
    Commitment,
    CommitmentRevision,
    Level,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RevisionField,
    RiskFactor,
    Status,
    active_q,
    closed_q,
    due_soon_q,
    on_time_q,
    overdue_q,
    target_missed_q,
)
from commitments.rules import disagreement_q, effective_updates, independently_assessed_q
from commitments.selectors import (
    commitment_assessments,
    commitment_revisions,
    commitments_with_relations,
    public_assessments,
)
from focalpoints.models import (
    FocalPoint,
    MemberState,
    NetworkMembership,
    Verification,
    appointment_is_current,
    evidence_sentence,
    provenance_sentence,
    state_name_order,
    state_name_search,
)
from tracker.models import CommitmentTally

# --- Public lists and profiles ------------------------------------------------------------------
#
# Each returns a queryset (or a dict of querysets/values) whose evaluation costs a fixed number
# of queries whatever the size of the data: relations are joined (select_related) or fetched in
# one extra query each (prefetch_related), and per-row figures are annotations. Private focal
# point fields are never selected: the public reads use ``values()`` / ``only()`` on public fields.

# "name" stands for the State's name as the reader's language sorts it (state_name_order).
STATE_SORTS = {
    "name": ("name",),
    "code": ("code",),
    "group": ("regional_group", "name"),
    "focal_point": ("-has_focal_point", "focal_point_since", "name"),
    "commitments": ("-commitment_count", "name"),
    "overdue": ("-overdue_count", "name"),
    "last_report": ("-last_report", "name"),
}


def _state_ordering(sort: str) -> list:
    """``order_by`` terms for a :data:`STATE_SORTS` key (``-`` reverses every term)."""
    descending = sort.startswith("-")
    terms = []
    for term in STATE_SORTS.get(sort.lstrip("-"), STATE_SORTS["name"]):
        down = term.startswith("-") != descending
        name = term.lstrip("-")
        if name == "name":
            terms.append(state_name_order(descending=down))
        else:
            terms.append(F(name).desc() if down else F(name).asc())
    return terms


# The public columns of an appointment as stored (``state`` -> ``state_id``): the one declaration
# on the model; private contact fields are never selected.
FOCAL_POINT_PUBLIC_FIELDS = tuple(
    FocalPoint._meta.get_field(name).attname for name in FocalPoint.PUBLIC_FIELDS
)


def _targets_moved_per_state():
    """How many of a State's commitments had their target date moved (a correlated count)."""
    return (
        CommitmentRevision.objects.filter(
            commitment__state=OuterRef("pk"), field=RevisionField.TARGET_DATE
        )
        .order_by()
        .values("commitment__state")
        .annotate(n=Count("commitment_id", distinct=True))
        .values("n")
    )


def _current_focal_point(state_ref: str = "pk"):
    return FocalPoint.objects.current().filter(state=OuterRef(state_ref))


def states_list(
    *,
    today: datetime.date,
    search: str = "",
    regional_group: str = "",
    has_focal_point: bool | None = None,
    has_overdue: bool | None = None,
    kind: str = "",
    sort: str = "name",
) -> QuerySet[MemberState]:
    """States and organisations with per-State figures, filtered and sorted. One query.

    Annotations: ``has_focal_point`` (a current appointment exists), ``focal_point_since``
    (its appointment date), ``commitment_count``, ``overdue_count`` (``overdue_q(today)``),
    ``last_report`` (latest reporting date over its commitments), ``targets_moved`` (its
    commitments whose target date a revision changed). ``sort`` is a key of
    :data:`STATE_SORTS`, optionally prefixed by ``-`` to reverse it.
    """
    current = _current_focal_point()
    states = MemberState.objects.annotate(
        has_focal_point=Exists(current),
        focal_point_since=Subquery(current.values("appointed_on")[:1]),
        # One multi-valued join (commitments), so plain counts are exact: no DISTINCT needed.
        commitment_count=Count("commitments"),
        overdue_count=Count("commitments", filter=overdue_q(today, prefix="commitments__")),
        last_report=Max("commitments__last_reported_on"),
        targets_moved=Coalesce(Subquery(_targets_moved_per_state()), 0),
    )
    if search:
        states = states.filter(state_name_search(search) | Q(code__iexact=search))
    if regional_group:
        states = states.filter(regional_group=regional_group)
    if kind:
        states = states.filter(kind=kind)
    if has_focal_point is not None:
        states = states.filter(has_focal_point=has_focal_point)
    if has_overdue is True:
        states = states.filter(overdue_count__gt=0)
    elif has_overdue is False:
        states = states.filter(overdue_count=0)
    return states.order_by(*_state_ordering(sort))


def states_at_a_glance(*, regional_group: str = "") -> QuerySet[MemberState]:
    """Every State by name with ``has_focal_point``, ``focal_point_since`` and
    ``commitment_count`` as :func:`states_list` gives them — the count summed from the tallies
    maintained on write (D-16-70) instead of joining every commitment. The dashboard's tiles;
    their overdue counts come with the overdue figure. One query."""
    current = _current_focal_point()
    counted = (
        CommitmentTally.objects.filter(state=OuterRef("pk"))
        .order_by()
        .values("state")
        .annotate(total=Sum("n"))
        .values("total")
    )
    states = MemberState.objects.annotate(
        has_focal_point=Exists(current),
        focal_point_since=Subquery(current.values("appointed_on")[:1]),
        commitment_count=Coalesce(Subquery(counted), 0),
    )
    if regional_group:
        states = states.filter(regional_group=regional_group)
    return states.order_by(*_state_ordering("name"))


def public_commitments(
    *, state: str = "", step: str = "", search: str = ""
) -> QuerySet[Commitment]:
    """Commitments for the State, step and search pages, with State, step and latest update
    joined. One query. The commitments list filters through the API's FilterSet instead
    (tracker/facets.py): the one declaration of every other filter."""
    queryset = commitments_with_relations()
    if state:
        queryset = queryset.filter(state_id=state.upper())
    if step:
        queryset = queryset.filter(step__code=step)
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search) | state_name_search(search, prefix="state__")
        )
    return queryset.order_by(state_name_order("state__"), "pledged_on", "id")


def review_record(commitments: QuerySet[Commitment], *, today: datetime.date) -> dict:
    """How a set of commitments stands against the review cycle. One query.

    ``{"total", "closed" (complete or withdrawn), "overdue", "due_soon" (within the window of
    ``commitments.models.due_soon_days``), "on_time" (open, not overdue), "not_reported",
    "targets_moved" (commitments whose target date a revision changed), "target_missed",
    "independently_assessed", "in_disagreement" (``commitments.rules``)}``.
    """
    moved = CommitmentRevision.objects.filter(
        commitment=OuterRef("pk"), field=RevisionField.TARGET_DATE
    )
    return commitments.order_by().aggregate(
        targets_moved=Count("id", filter=Q(Exists(moved))),
        target_missed=Count("id", filter=target_missed_q(today)),
        total=Count("id"),
        closed=Count("id", filter=closed_q()),
        overdue=Count("id", filter=overdue_q(today)),
        due_soon=Count("id", filter=due_soon_q(today)),
        on_time=Count("id", filter=on_time_q(today)),
        not_reported=Count("id", filter=Q(status=Status.NOT_REPORTED)),
        independently_assessed=Count("id", filter=independently_assessed_q()),
        in_disagreement=Count("id", filter=disagreement_q()),
    )


def state_profile(code: str, *, today: datetime.date) -> dict:
    """Everything the public country profile shows. Raises ``MemberState.DoesNotExist``.

    Eight queries whatever the data: the State, its focal point appointments (public fields
    only), network memberships, commitments, their review record, resolutions concerning it,
    its documented practice and its recent updates.
    """
    state = MemberState.objects.get(code=code.upper())
    appointments = list(
        FocalPoint.objects.filter(state=state)
        .order_by(F("ended_on").desc(nulls_first=True), "-appointed_on")
        .values(*FOCAL_POINT_PUBLIC_FIELDS)
    )
    for appointment in appointments:
        appointment["verification_label"] = Verification(appointment["verification"]).label
        appointment["shown_as"] = evidence_sentence(
            appointment["evidence_kind"], appointment["reported_year"]
        )
        appointment["provenance"] = provenance_sentence(
            appointment["source_name"], appointment["evidence_as_of"], appointment["reported_year"]
        )
        appointment["is_current"] = appointment_is_current(
            appointment["ended_on"], appointment["evidence_kind"]
        )
    current = next((a for a in appointments if a["is_current"]), None)
    commitments = list(
        public_commitments(state=state.code).order_by("next_review_due", "pledged_on", "id")
    )
    practice = list(state.documented_practice.select_related("step").order_by("year", "key"))
    changes = [state.updated_at, *(a["updated_at"] for a in appointments)]
    changes += [c.updated_at for c in commitments] + [p.updated_at for p in practice]
    return {
        "state": state,
        "last_changed": max(changes),
        "focal_point": current,
        "past_focal_points": [a for a in appointments if a["ended_on"] is not None],
        # What public sources reported (graded evidence, not a current appointment).
        "reported_focal_points": [
            a for a in appointments if a["ended_on"] is None and not a["is_current"]
        ],
        "memberships": list(
            NetworkMembership.objects.filter(state=state)
            .select_related("network")
            .order_by("network__name", "role")
        ),
        "commitments": commitments,
        # The public record (sourced examples of practice), apart from focal points' reports.
        "documented_practice": practice,
        "review": review_record(Commitment.objects.filter(state=state), today=today),
        "resolutions": list(state.resolutions.order_by(F("adopted_on").desc(nulls_last=True))),
        "timeline": list(
            ProgressUpdate.objects.filter(commitment__state=state)
            .select_related("commitment")
            .order_by("-reported_on", "-created_at", "-id")[:STATE_TIMELINE_LENGTH]
        ),
    }


STATE_TIMELINE_LENGTH = 25


def commitment_detail(pk: int, *, today: datetime.date) -> dict:
    """A commitment's public page: the pledge, its source and resolutions, every update with
    its evidence (corrections included, the corrected update kept), and its status history.
    Raises ``Commitment.DoesNotExist``. Nine queries: commitment (+State, step, latest update),
    resolutions, channels, updates (+what they correct), evidence, translations, revisions,
    published assessments (+organisation, country, reply), their evidence.
    """
    commitment = (
        commitments_with_relations()
        .select_related("operative_paragraph__resolution")
        .prefetch_related(
            Prefetch("resolutions", queryset=Resolution.objects.order_by("adopted_on")),
            "channels",
        )
        .get(pk=pk)
    )
    updates = list(commitment_updates(commitment.pk))
    revisions = list(commitment_revisions(commitment.pk))
    corrected_by = {u.corrects_id: u for u in updates if u.corrects_id}
    for update in updates:
        update.corrected_by = corrected_by.get(update.pk)
    assessments = commitment_assessments(commitment.pk)
    return {
        "commitment": commitment,
        "updates": updates,
        **scrutiny_context(commitment, updates, assessments),
        "status_history": status_history(commitment, updates),
        "revisions": revisions,
        "targets_moved": sum(r.field == RevisionField.TARGET_DATE for r in revisions),
        "target_missed": commitment.is_target_missed(today),
        "is_overdue": commitment.is_overdue(today),
        "today": today,
    }


def scrutiny_context(commitment, updates, assessments) -> dict:
    """The independent side of a commitment's page, from rows already read (no query): each
    organisation's latest effective assessment beside the government's status with its own
    disagreement (commitments.rules), what corrects what, and one timeline interleaving the
    updates (by reporting date) and the assessments (by publication; each with its reply)."""
    superseded_by = {a.corrects_id: a for a in assessments if a.corrects_id}
    for assessment in assessments:
        assessment.commitment = commitment  # the page's row: no query per assessment
        assessment.superseded_by = superseded_by.get(assessment.pk)
    latest = rules.latest_by_organisation(assessments)
    independent = []
    for assessment in sorted(latest.values(), key=lambda a: a.organisation.name):
        gap = rules.gap(commitment.status, assessment.status)
        independent.append(
            {
                "assessment": assessment,
                "disagrees": rules.disagrees(commitment.status, assessment.status),
                "levels_apart": abs(gap) if gap else None,
            }
        )
    timeline = [("update", update.reported_on, update) for update in updates]
    timeline += [
        ("assessment", timezone.localdate(assessment.published_at), assessment)
        for assessment in assessments
    ]
    timeline.sort(key=lambda entry: entry[1])
    return {
        "assessments": assessments,
        "independent": independent,
        "latest_assessment": next(
            (a for a in assessments if a.pk == commitment.latest_assessment_id), None
        ),
        "timeline": [{"kind": kind, "day": day, "item": item} for kind, day, item in timeline],
    }


def commitment_updates(commitment_id: int) -> QuerySet[ProgressUpdate]:
    """A commitment's updates, oldest first, with what each corrects, its evidence and the
    translations of its narrative (three queries; streamable with ``iterator(chunk_size=...)``)."""
    return (
        ProgressUpdate.objects.filter(commitment_id=commitment_id)
        .select_related("corrects")
        .prefetch_related("evidence", "translations")
        .order_by("reported_on", "created_at", "id")
    )


def status_history(commitment: Commitment, updates: list[ProgressUpdate]) -> list[dict]:
    """The commitment's status over time as it stands now: after each update that counts
    (:func:`commitments.rules.effective_updates` — corrected updates replaced by their
    correction), the status it set, keeping only changes. Starts with "not yet reported" at the
    pledge date."""
    history = [{"date": commitment.pledged_on, "status": Status.NOT_REPORTED, "update": None}]
    for update in effective_updates(updates):
        if update.status != history[-1]["status"]:
            history.append({"date": update.reported_on, "status": update.status, "update": update})
    for entry in history:
        entry["label"] = Status(entry["status"]).label
    return history


def resolutions_list(
    *, search: str = "", body: str = "", year: int | None = None, state: str = ""
) -> QuerySet[Resolution]:
    """Resolutions with how many States and commitments refer to them. One query (+1 for the
    States shown per row when the caller prefetches them)."""
    queryset = Resolution.objects.annotate(
        state_count=Count("states", distinct=True),
        commitment_count=Count("commitments", distinct=True),
    )
    if search:
        queryset = queryset.filter(Q(symbol__icontains=search) | Q(title__icontains=search))
    if body:
        queryset = queryset.filter(body=body)
    if year:
        queryset = queryset.filter(adopted_on__year=year)
    if state:
        queryset = queryset.filter(states__code=state.upper())
    return queryset.order_by(F("adopted_on").desc(nulls_last=True), "symbol")


def resolution_years() -> list[int]:
    return [
        d.year
        for d in Resolution.objects.filter(adopted_on__isnull=False).dates(
            "adopted_on", "year", order="DESC"
        )
    ]


def resolution_detail(pk: int, *, today: datetime.date) -> dict:
    """A resolution, the States it concerns and the commitments that cite it (a queryset: the
    caller pages it), and when any of it last changed. Three queries, four once the
    commitments are read."""
    resolution = Resolution.objects.get(pk=pk)
    latest = resolution.commitments.aggregate(latest=Max("updated_at"))["latest"]
    return {
        "resolution": resolution,
        "last_changed": max(filter(None, [resolution.updated_at, latest])),
        "states": list(resolution.states.order_by(state_name_order())),
        "commitments": commitments_with_relations(resolution.commitments.all()).order_by(
            state_name_order("state__"), "pledged_on", "id"
        ),
    }


def steps_list(*, level: str = "", today: datetime.date) -> QuerySet[PreventionStep]:
    """The catalogue of prevention steps with how many States pledged each and how far they
    got. One query."""
    active = active_q(prefix="commitments__")
    queryset = PreventionStep.objects.annotate(
        commitment_count=Count("commitments", filter=active),
        state_count=Count("commitments__state", filter=active, distinct=True),
        complete_count=Count("commitments", filter=Q(commitments__status=Status.COMPLETE)),
        overdue_count=Count("commitments", filter=overdue_q(today, prefix="commitments__")),
    )
    if level:
        queryset = queryset.filter(level=level)
    return queryset.order_by(level_rank(), "code")


def level_rank() -> Case:
    """Order by level as the vocabulary lists it (national, intergovernmental, UN system),
    not alphabetically — the order of the dashboard's charts."""
    return Case(
        *(When(level=value, then=Value(rank)) for rank, (value, _l) in enumerate(Level.choices)),
        default=Value(len(Level.choices)),
    )


def step_detail(code: str, *, today: datetime.date) -> dict:
    """A prevention step, its channels and risk factors, its commitments by status, what States
    are documented to have done towards it, and every commitment to it (a queryset: the caller
    pages it). Five queries, six once the commitments are read."""
    step = PreventionStep.objects.prefetch_related("channels", "risk_factors").get(code=code)
    commitments = public_commitments(step=step.code)
    by_status, latest = status_breakdown(commitments)
    practice = list(
        step.documented_practice.select_related("state").order_by(
            "year", state_name_order("state__"), "key"
        )
    )
    changes = [step.updated_at, latest, *(p.updated_at for p in practice)]
    return {
        "step": step,
        "last_changed": max(filter(None, changes)),
        "commitments": commitments,
        "by_status": by_status,
        "documented_practice": practice,
    }


def status_breakdown(commitments: QuerySet[Commitment]) -> tuple[list[dict], datetime.datetime]:
    """``[{"status", "label", "count"}]`` for every status in order (zeros included), and the
    latest ``updated_at`` of the commitments. One query."""
    rows = list(
        commitments.order_by()
        .values("status")
        .annotate(n=Count("id"), latest=Max("updated_at"))
        .values_list("status", "n", "latest")
    )
    counts = {status: n for status, n, _latest in rows}
    latest = max((latest for _s, _n, latest in rows), default=None)
    breakdown = [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Status.choices
    ]
    return breakdown, latest


def risk_factors_list(*, today: datetime.date) -> QuerySet[RiskFactor]:
    """The Framework of Analysis's risk factors, each with how many prevention steps address it
    and how many active commitments (and overdue reviews) those steps carry. One query."""
    active = active_q(prefix="steps__commitments__")
    return RiskFactor.objects.annotate(
        step_count=Count("steps", distinct=True),
        commitment_count=Count("steps__commitments", filter=active, distinct=True),
        overdue_count=Count(
            "steps__commitments",
            filter=overdue_q(today, prefix="steps__commitments__"),
            distinct=True,
        ),
    ).order_by("number")


def risk_factor_detail(number: int, *, today: datetime.date) -> dict:
    """A risk factor, the steps that address it (with their commitments counted), the
    commitments under those steps by status, and every such commitment (a queryset: the caller
    pages it). Raises ``RiskFactor.DoesNotExist``. Three queries, four once the commitments are
    read."""
    factor = RiskFactor.objects.get(number=number)
    steps = list(steps_list(today=today).filter(risk_factors=factor))
    commitments = commitments_with_relations().filter(step__risk_factors=factor)
    commitments = commitments.order_by("state__name", "pledged_on", "id")
    by_status, latest = status_breakdown(commitments)
    return {
        "factor": factor,
        "steps": steps,
        "commitments": commitments,
        "by_status": by_status,
        "last_changed": max(filter(None, [factor.updated_at, latest])),
    }


# --- Independent assessments (issue 10) --------------------------------------------------------


def assessments_list() -> QuerySet:
    """Published assessments (``commitments.selectors.public_assessments``) with the published
    assessment that corrects each (an index lookup per row; a correction still waiting or
    rejected is never named) and the time of their latest change — publication, dispute or the
    State's reply: what ``updated_since`` reads. The API's list and the ``/assessments/`` page."""
    corrected_by = public_assessments().filter(corrects=OuterRef("pk")).order_by().values("pk")[:1]
    return public_assessments().annotate(
        corrected_by=Subquery(corrected_by),
        last_changed=Greatest("updated_at", Coalesce("reply__published_at", "updated_at")),
    )
