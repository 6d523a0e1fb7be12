"""The public figures: the global dashboard, the regional pages and ``/api/v1/stats/`` all call
these plain functions, so a number is computed in one place and is the same everywhere.

Stable contract (the API serves these shapes as they are — change them only additively):

* every function takes keyword-only arguments;
* ``today`` (a date) is the day reviews are judged against, default
  :func:`commitments.selectors.review_today`;
* ``regional_group`` (a :class:`focalpoints.models.RegionalGroup` value, e.g. ``"african"``)
  restricts the figure to the States of that group; ``None`` means all States and organisations;
* return values are dicts and lists of plain values (str, int, ``datetime.date``,
  ``datetime.datetime``, ``None``): serialisable by ``DjangoJSONEncoder`` / DRF as they are;
* ``label`` keys are translated into the active language at call time (the cached part of each
  figure holds only codes and counts, never text in one language).

Counting rules (see also docs/public-pages.md):

* a commitment's status is its stored derived status (``commitments.rules.derive_status``): a
  correction replaces the update it corrects;
* *withdrawn* commitments appear in the status breakdown, but not among the active pledges that
  the level / step breakdowns count (those report them in a separate ``withdrawn`` column);
* *overdue* is ``commitments.models.overdue_q(today)`` — a review is overdue the day after it
  falls due; complete and withdrawn commitments owe no review;
* focal point coverage counts UN Member States (kind ``member``) with a current appointment
  (``ended_on`` empty); observer States and organisations with one are listed apart;
* every published update counts in the activity figures, corrections included (they are also
  counted on their own in ``corrections``).

Caching: figures are cached under a key that includes :func:`data_version` (the latest change
time and row counts of every public table, read in one cheap query), so any write — a new update,
a correction, a new focal point, a deletion in the admin — makes the next read recompute. Nothing
has to remember to invalidate anything.

Recomputing reads whole-table counts from tallies the database keeps on every write
(:mod:`tracker.tallies`, D-16-70: commitments per State, step and status; updates per State and
quarter; answered reviews per quarter) rather than scanning the tables; figures judged against
``today`` (overdue, the current quarter of the trend) read the few rows they need by index.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce

from commitments.models import (
    AnsweredReview,
    Assessment,
    AssessmentReply,
    Basis,
    Commitment,
    CommitmentRevision,
    Level,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RiskFactor,
    ScrutinyChannel,
    Status,
    active_q,
    overdue_q,
    target_missed_q,
)
from commitments.rules import Outcome, ReviewCycle, disagreement_q, independently_assessed_q
from commitments.selectors import review_today
from focalpoints.localisation import column as language_column
from focalpoints.localisation import expression as localisation_expression
from focalpoints.localisation import localised, reader_language, translated_columns
from focalpoints.models import (
    FocalPoint,
    MemberState,
    Network,
    NetworkMembership,
    Organisation,
    ReferenceFigure,
    RegionalGroup,
    Verification,
    state_name_expression,
    state_name_order,
)
from tracker.models import CommitmentTally, ReviewTally, UpdateTally
from tracker.selectors import states_at_a_glance
from tracker.tallies import quarter_start
from tracker.versions import table_names, versions_and_ledger_head

CACHE_SECONDS = 60 * 60
STATUS_ORDER = [value for value, _label in Status.choices]
LEVEL_ORDER = [value for value, _label in Level.choices]
GROUP_ORDER = [value for value, _label in RegionalGroup.choices]

# The public tables: "the public data changed" means one of them was written (its data version
# moved, D-16-1) or the ledger grew. Network memberships are edited in place: the versions see
# that too.
_VERSIONED = [
    MemberState,
    FocalPoint,
    Commitment,
    ProgressUpdate,
    CommitmentRevision,
    Resolution,
    PreventionStep,
    RiskFactor,
    Network,
    NetworkMembership,
    ReferenceFigure,
    # Independent scrutiny (issue 10): organisations, assessments and replies are public tables.
    Organisation,
    Assessment,
    AssessmentReply,
]


# --- Data version and last change ---------------------------------------------------------------


def data_version() -> dict:
    """When the public data last changed, and a key that changes whenever any public row is
    added, changed or deleted: the data versions the database maintains on write
    (``tracker.versions``, D-16-1) of every public table, and the ledger head, in one
    primary-key lookup — no ``COUNT`` or ``MAX`` over the tables (D-16-15).

    Returns ``{"last_changed": datetime | None, "key": str}``.
    """
    key, last, head = versions_and_ledger_head(table_names(*_VERSIONED))
    return {"last_changed": last, "key": f"{key[:16]}.{head.sequence}"}


def _cached(name: str, compute: Callable[[], Any], *parts: Any, version: str | None = None) -> Any:
    version = version if version is not None else data_version()["key"]
    # State names come out in the reader's language (sorted by it): one cache entry per language.
    language = reader_language()
    key = "tracker:stats:" + ":".join([name, version, language, *(str(p) for p in parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _commitments(regional_group: str | None) -> QuerySet[Commitment]:
    queryset = Commitment.objects.all()
    if regional_group:
        queryset = queryset.filter(state__regional_group=regional_group)
    return queryset


def _tallied(regional_group: str | None) -> QuerySet[CommitmentTally]:
    """The commitment counts maintained on write (D-16-70): one row per (State, step, status,
    independent status) instead of one per commitment. The rules (``active_q``,
    ``disagreement_q``…) apply to its columns as they do to a commitment's."""
    queryset = CommitmentTally.objects.order_by()
    if regional_group:
        queryset = queryset.filter(state__regional_group=regional_group)
    return queryset


def _sum(filter: Q | None = None, field: str = "n") -> Coalesce:
    return Coalesce(Sum(field, filter=filter), 0)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


# --- Focal point coverage -----------------------------------------------------------------------


def focal_point_coverage(*, regional_group: str | None = None, version: str | None = None) -> dict:
    """UN Member States with a current R2P focal point, by regional group.

    Returns::

        {
          "member_states": int,            # UN Member States (in the group, if given)
          "with_focal_point": int,         # ... of which with a current focal point
          "groups": [                      # the five UN groups in a fixed order (one if filtered)
            {"slug": str, "label": str, "member_states": int, "with_focal_point": int}
          ],
          "others": [                      # observers / organisations with a current focal point
            {"code": str, "name": str}
          ],
          "reported_only": int,            # Member States a public source reported a focal point
                                           #   for, none recorded as current (never counted above)
          "references": [                  # the sourced headline figures (ReferenceFigure, topic
            {"value": int, "at_least": bool, #  "focal-points"), the latest of each source first
             "statement": str, "statement_language": str, "as_of": str (ISO date or as the
             source gives it), "as_of_date": date | None, "source_name": str,
             "source_url": str, "verification": str, "verification_label": str, "note": str}
          ],
          "reference": None | {...},       # the first of "references" (kept for the API)
        }
    """

    def compute():
        # One row per State (under 200): cheaper than two grouped queries, and it gives the
        # names of the observers and organisations with a focal point at the same time.
        current = FocalPoint.objects.current().filter(state=OuterRef("pk"))
        reported = FocalPoint.objects.reported().filter(state=OuterRef("pk"))
        states = MemberState.objects.annotate(
            has_focal_point=Exists(current), has_reported=Exists(reported)
        )
        if regional_group:
            states = states.filter(regional_group=regional_group)
        rows: dict[str, dict] = {}
        others = []
        reported_only = 0
        for state in states.order_by(state_name_order()).values(
            "code",
            "kind",
            "regional_group",
            "has_focal_point",
            "has_reported",
            name_shown=state_name_expression(),
        ):
            if state["kind"] == MemberState.Kind.MEMBER:
                row = rows.setdefault(
                    state["regional_group"], {"member_states": 0, "with_focal_point": 0}
                )
                row["member_states"] += 1
                row["with_focal_point"] += int(state["has_focal_point"])
                # Reported by a public source, never recorded as current: shown apart.
                reported_only += int(state["has_reported"] and not state["has_focal_point"])
            elif state["has_focal_point"] and not regional_group:
                others.append({"code": state["code"], "name": state["name_shown"]})
        references = _focal_point_figures()
        return {
            "rows": rows,
            "others": others,
            "reported_only": reported_only,
            "references": references,
        }

    raw = _cached("coverage", compute, regional_group, version=version)
    labels = _labels(RegionalGroup.choices)
    slugs = [regional_group] if regional_group else GROUP_ORDER
    groups = [
        {
            "slug": slug,
            "label": labels.get(slug, slug),
            "member_states": raw["rows"].get(slug, {}).get("member_states", 0),
            "with_focal_point": raw["rows"].get(slug, {}).get("with_focal_point", 0),
        }
        for slug in slugs
    ]
    return {
        "member_states": sum(g["member_states"] for g in groups),
        "with_focal_point": sum(g["with_focal_point"] for g in groups),
        "groups": groups,
        "others": raw["others"],
        "reported_only": raw["reported_only"],
        "reference": raw["references"][0] if raw["references"] else None,
        "references": raw["references"],
    }


def _focal_point_figures() -> list[dict]:
    """The sourced counts of States with a focal point, the latest of each source first (the
    network's own figure, and the 2017 report's with its grade), beside our partial rows."""
    latest: dict[str, ReferenceFigure] = {}
    for figure in ReferenceFigure.objects.filter(topic=ReferenceFigure.Topic.FOCAL_POINTS).order_by(
        F("as_of").desc(nulls_last=True), "-pk"
    ):
        latest.setdefault(figure.source_name, figure)
    return [
        {
            "value": figure.value,
            "at_least": figure.at_least,
            "statement": localised(figure, "statement").text,
            "statement_language": localised(figure, "statement").language,
            "as_of": figure.as_of_label,
            "as_of_date": figure.as_of,
            "source_name": figure.source_name,
            "source_url": figure.source_url,
            "verification": figure.verification,
            "verification_label": str(Verification(figure.verification).label),
            "note": figure.note,
        }
        for figure in latest.values()
    ]


# --- Commitments ---------------------------------------------------------------------------------


def _status_counts(regional_group: str | None, version: str | None) -> dict[str, tuple]:
    """``{status: (commitments, independently assessed, in disagreement)}``: one grouped query
    (cached), read by :func:`commitments_by_status` and :func:`independent_scrutiny`."""

    def compute():
        rows = (
            _tallied(regional_group)
            .values_list("status")
            .annotate(
                count=_sum(),
                assessed=_sum(independently_assessed_q()),
                disagree=_sum(disagreement_q()),
            )
            .values_list("status", "count", "assessed", "disagree")
        )
        return {
            status: (n, assessed, disagree)
            for status, n, assessed, disagree in rows
            if n or assessed or disagree
        }

    return _cached("by-status.2", compute, regional_group, version=version)


def commitments_by_status(*, regional_group: str | None = None, version: str | None = None) -> dict:
    """Every commitment counted once, under its current derived status.

    Returns ``{"total": int, "rows": [{"status": str, "label": str, "count": int}]}`` with one
    row per :class:`commitments.models.Status` value, in the vocabulary's order, zeros included.
    """
    counts = _status_counts(regional_group, version)
    labels = _labels(Status.choices)
    rows = [
        {"status": status, "label": labels[status], "count": counts.get(status, (0,))[0]}
        for status in STATUS_ORDER
    ]
    return {"total": sum(r["count"] for r in rows), "rows": rows}


def independent_scrutiny(*, regional_group: str | None = None, version: str | None = None) -> dict:
    """How many commitments have a published independent assessment, and how many of those
    are in disagreement with the government's status (``commitments.rules.disagreement_q``:
    the latest independent status differs by at least one level).

    Returns ``{"total": int, "assessed": int, "in_disagreement": int}`` (the same cached query
    as :func:`commitments_by_status`: no query of its own).
    """
    counts = _status_counts(regional_group, version).values()
    return {
        "total": sum(row[0] for row in counts),
        "assessed": sum(row[1] for row in counts),
        "in_disagreement": sum(row[2] for row in counts),
    }


def _active_and_withdrawn(queryset, field):
    """Per ``field``: active, withdrawn and complete pledges, and the States with an active one,
    from the tallies (``n`` commitments per row; a row whose count fell to zero holds none)."""
    held = active_q() & Q(n__gt=0)
    return (
        queryset.values(field)
        .annotate(
            commitments=_sum(active_q()),
            withdrawn=_sum(~active_q()),
            complete=_sum(Q(status=Status.COMPLETE)),
            states=Count("state", filter=held, distinct=True),
        )
        .order_by()
    )


def commitments_by_level(*, regional_group: str | None = None, version: str | None = None) -> dict:
    """Active pledges (not withdrawn) by the level of their prevention step.

    Returns ``{"total": int, "rows": [{"level": str, "label": str, "commitments": int,
    "complete": int, "withdrawn": int, "states": int}]}`` — one row per
    :class:`commitments.models.Level` in order, zeros included. ``total`` counts active
    pledges; ``states`` is how many States hold at least one active pledge at that level.
    """

    def compute():
        return {
            row["step__level"]: row
            for row in _active_and_withdrawn(_tallied(regional_group), "step__level")
        }

    raw = _cached("by-level", compute, regional_group, version=version)
    labels = _labels(Level.choices)
    rows = []
    for level in LEVEL_ORDER:
        row = raw.get(level, {})
        rows.append(
            {
                "level": level,
                "label": labels[level],
                "commitments": row.get("commitments", 0),
                "complete": row.get("complete", 0),
                "withdrawn": row.get("withdrawn", 0),
                "states": row.get("states", 0),
            }
        )
    return {"total": sum(r["commitments"] for r in rows), "rows": rows}


def commitments_by_step(*, regional_group: str | None = None, version: str | None = None) -> dict:
    """Active pledges (not withdrawn) by prevention step, for every step in the catalogue.

    Returns ``{"total": int, "rows": [{"code": str, "title": str, "level": str,
    "commitments": int, "complete": int, "withdrawn": int, "states": int}]}`` ordered by
    level then code (the catalogue's order); steps nobody pledged have zeros.
    """

    def compute():
        # The tallies (D-16-70) joined to every step: steps nobody pledged get zeros.
        prefix = "commitment_tallies__"
        scope = Q(**{f"{prefix}state__regional_group": regional_group}) if regional_group else Q()
        active = scope & active_q(prefix=prefix)
        steps = PreventionStep.objects.annotate(
            n_commitments=_sum(active, f"{prefix}n"),
            n_withdrawn=_sum(scope & ~active_q(prefix=prefix), f"{prefix}n"),
            n_complete=_sum(scope & Q(**{f"{prefix}status": Status.COMPLETE}), f"{prefix}n"),
            n_states=Count(
                f"{prefix}state", filter=active & Q(**{f"{prefix}n__gt": 0}), distinct=True
            ),
        )
        rows = [
            {
                "code": step["code"],
                "title": step["title_shown"],
                "level": step["level"],
                "commitments": step["n_commitments"],
                "complete": step["n_complete"],
                "withdrawn": step["n_withdrawn"],
                "states": step["n_states"],
            }
            for step in steps.values(
                "code",
                "level",
                "n_commitments",
                "n_complete",
                "n_withdrawn",
                "n_states",
                title_shown=localisation_expression("title"),
            )
        ]
        rows.sort(key=lambda r: (LEVEL_ORDER.index(r["level"]), r["code"]))
        return rows

    rows = _cached("by-step", compute, regional_group, version=version)
    return {"total": sum(r["commitments"] for r in rows), "rows": rows}


# --- Reviews -------------------------------------------------------------------------------------


def overdue_reviews(
    *,
    today: datetime.date | None = None,
    regional_group: str | None = None,
    version: str | None = None,
) -> dict:
    """Commitments whose review is overdue on ``today`` (``overdue_q``), and which States.

    Returns ``{"today": date, "count": int, "states": [{"code": str, "name": str,
    "overdue": int, "oldest_due": date}]}`` — States with most overdue reviews first, then by
    name. ``count`` is the number of overdue commitments; ``len(states)`` how many States.
    """
    today = today or review_today()

    def compute():
        return list(
            _commitments(regional_group)
            .filter(overdue_q(today))
            .order_by()
            .values("state_id", name_shown=state_name_expression("state__"))
            .annotate(overdue=Count("id"), oldest_due=Min("next_review_due"))
            .order_by("-overdue", state_name_order("state__"))
        )

    rows = _cached("overdue", compute, regional_group, today, version=version)
    states = [
        {
            "code": r["state_id"],
            "name": r["name_shown"],
            "overdue": r["overdue"],
            "oldest_due": r["oldest_due"],
        }
        for r in rows
    ]
    return {"today": today, "count": sum(s["overdue"] for s in states), "states": states}


# --- Activity ------------------------------------------------------------------------------------


def _previous_quarter(start: datetime.date) -> datetime.date:
    month = start.month - 3
    year = start.year
    if month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def _next_quarter(start: datetime.date) -> datetime.date:
    month = start.month + 3
    return datetime.date(start.year + (month > 12), month - 12 if month > 12 else month, 1)


def updates_per_quarter(
    *,
    today: datetime.date | None = None,
    quarters: int = 12,
    regional_group: str | None = None,
    version: str | None = None,
) -> dict:
    """Progress updates published per calendar quarter of their reporting date, for the last
    ``quarters`` quarters up to and including the one containing ``today`` (zeros included).

    Returns ``{"rows": [{"quarter": "2025-Q3", "start": date, "updates": int,
    "corrections": int}], "total": int, "before": int}``, oldest first. ``updates`` counts every
    update including corrections; ``before`` counts updates reported before the first quarter
    shown.
    """
    today = today or review_today()
    starts = [quarter_start(today)]
    for _ in range(quarters - 1):
        starts.append(_previous_quarter(starts[-1]))
    starts.reverse()

    def compute():
        # The counts per State and quarter maintained on write (D-16-70): a few thousand rows
        # instead of every update.
        tallies = UpdateTally.objects.order_by()
        if regional_group:
            tallies = tallies.filter(state__regional_group=regional_group)
        aggregates = {"before": _sum(Q(quarter__lt=starts[0]), "updates")}
        for index, start in enumerate(starts):
            aggregates[f"u{index}"] = _sum(Q(quarter=start), "updates")
            aggregates[f"c{index}"] = _sum(Q(quarter=start), "corrections")
        counts = tallies.aggregate(**aggregates)
        in_range = {
            start: {"updates": counts[f"u{index}"], "corrections": counts[f"c{index}"]}
            for index, start in enumerate(starts)
        }
        return {"in_range": in_range, "before": counts["before"]}

    raw = _cached("per-quarter", compute, regional_group, starts[0], quarters, version=version)
    rows = []
    for start in starts:
        row = raw["in_range"].get(start, {})
        rows.append(
            {
                "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
                "start": start,
                "updates": row.get("updates", 0),
                "corrections": row.get("corrections", 0),
            }
        )
    return {"rows": rows, "total": sum(r["updates"] for r in rows), "before": raw["before"]}


def recent_updates(
    *, limit: int = 10, regional_group: str | None = None, version: str | None = None
) -> list[dict]:
    """The latest progress updates by reporting date — the date the list shows — newest first
    (publication, then id, break ties), corrections included and flagged.

    Returns ``[{"id": int, "commitment_id": int, "commitment_title": str, "state_code": str,
    "state_name": str, "reported_on": date, "published_at": datetime, "status": str,
    "status_label": str, "is_correction": bool, "corrects_id": int | None}]``.
    """

    def compute():
        updates = ProgressUpdate.objects.all()
        if regional_group:
            updates = updates.filter(commitment__state__regional_group=regional_group)
        return list(
            updates.order_by("-reported_on", "-created_at", "-id").values(
                "id",
                "commitment_id",
                "commitment__title",
                "commitment__state_id",
                "reported_on",
                "created_at",
                "status",
                "corrects_id",
                state_name=state_name_expression("commitment__state__"),
            )[:limit]
        )

    rows = _cached("recent", compute, regional_group, limit, version=version)
    labels = _labels(Status.choices)
    return [
        {
            "id": r["id"],
            "commitment_id": r["commitment_id"],
            "commitment_title": r["commitment__title"],
            "state_code": r["commitment__state_id"],
            "state_name": r["state_name"],
            "reported_on": r["reported_on"],
            "published_at": r["created_at"],
            "status": r["status"],
            "status_label": labels.get(r["status"], r["status"]),
            "is_correction": r["corrects_id"] is not None,
            "corrects_id": r["corrects_id"],
        }
        for r in rows
    ]


# --- Every State at a glance --------------------------------------------------------------------


def state_tiles(
    *,
    today: datetime.date | None = None,
    regional_group: str | None = None,
    version: str | None = None,
) -> dict:
    """Every State and organisation with its focal point and review standing: the tile grid of
    the dashboard (one tile per State, grouped by UN regional group).

    Returns ``{"groups": [{"slug": str, "label": str, "states": [tile]}], "others": [tile]}``
    where a tile is ``{"code": str, "name": str, "group": str, "has_focal_point": bool,
    "focal_point_since": date | None, "commitments": int, "overdue": int}``; groups in the
    fixed order, States by name; ``others`` holds observers and
    organisations (no group). With ``regional_group``, one group and no others.
    """
    today = today or review_today()

    def compute():
        # The overdue counts per State are the overdue figure's (cached with the dashboard).
        overdue = {
            row["code"]: row["overdue"]
            for row in overdue_reviews(today=today, regional_group=regional_group, version=version)[
                "states"
            ]
        }
        return [
            {
                "code": s["code"],
                "name": s["name_shown"],
                "group": s["regional_group"],
                "has_focal_point": s["has_focal_point"],
                "focal_point_since": s["focal_point_since"],
                "commitments": s["commitment_count"],
                "overdue": overdue.get(s["code"], 0),
            }
            for s in states_at_a_glance(regional_group=regional_group or "").values(
                "code",
                "regional_group",
                "has_focal_point",
                "focal_point_since",
                "commitment_count",
                name_shown=state_name_expression(),
            )
        ]

    tiles = _cached("tiles", compute, regional_group, today, version=version)
    labels = _labels(RegionalGroup.choices)
    slugs = [regional_group] if regional_group else GROUP_ORDER
    groups = [
        {
            "slug": slug,
            "label": labels.get(slug, slug),
            "states": [t for t in tiles if t["group"] == slug],
        }
        for slug in slugs
    ]
    return {"groups": groups, "others": [t for t in tiles if not t["group"]]}


# --- Accountability: basis, channel, source kind and level, by status ---------------------------


def _tally(rows, key: str) -> dict[str, dict]:
    """Grouped rows ``{key, "status", "n", "overdue", "missed"}`` -> per key value:
    ``{"by_status": {status: n}, "total", "overdue", "target_missed"}``."""
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(
            row[key], {"by_status": {}, "total": 0, "overdue": 0, "target_missed": 0}
        )
        entry["by_status"][row["status"]] = row["n"]
        entry["total"] += row["n"]
        entry["overdue"] += row["overdue"]
        entry["target_missed"] += row["missed"]
    return found


def _grouped(queryset, field: str, today: datetime.date, prefix: str = ""):
    return (
        queryset.order_by()
        .values(field, "status" if not prefix else f"{prefix}status")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=overdue_q(today, prefix=prefix)),
            missed=Count("pk", filter=target_missed_q(today, prefix=prefix)),
        )
    )


def _matrix_row(value: str, label: str, tally: dict, **extra) -> dict:
    entry = tally.get(value, {})
    by_status = entry.get("by_status", {})
    total = entry.get("total", 0)
    complete = by_status.get(Status.COMPLETE, 0)
    return {
        "value": value,
        "label": label,
        **extra,
        "total": total,
        "by_status": [{"status": s, "count": by_status.get(s, 0)} for s in STATUS_ORDER],
        "overdue": entry.get("overdue", 0),
        "target_missed": entry.get("target_missed", 0),
        "complete_share": round(complete / total, 4) if total else None,
    }


def accountability(
    *,
    today: datetime.date | None = None,
    regional_group: str | None = None,
    version: str | None = None,
) -> dict:
    """The accountability questions of the 2017 report: every commitment counted by the basis
    of the responsibility, the channels that can scrutinise it, where it was pledged and the
    level of its step — each by current status, with reviews overdue (``overdue_q``) and
    targets missed (``target_missed_q``) on ``today``.

    Returns ``{"today": date, "statuses": [{"status", "label"}], "by_basis": [row],
    "by_channel": [row + "level"], "by_source_kind": [row], "by_level": [row + "states"]}``
    where a row is ``{"value": str, "label": str, "total": int, "by_status": [{"status",
    "count"}] (every status, in order), "overdue": int, "target_missed": int, "complete_share":
    float | None}``. A commitment with several channels counts once under each; with none, it
    is in no channel row. Four grouped queries when the cache is cold.
    """
    today = today or review_today()

    def compute():
        commitments = _commitments(regional_group)
        through = Commitment.channels.through.objects.all()
        if regional_group:
            through = through.filter(commitment__state__regional_group=regional_group)
        channel_rows = [
            {**row, "status": row.pop("commitment__status")}
            for row in _grouped(through, "scrutinychannel_id", today, prefix="commitment__")
        ]
        level_states = dict(
            commitments.order_by()
            .values_list("step__level")
            .annotate(n=Count("state", distinct=True))
        )
        return {
            "basis": _tally(_grouped(commitments, "basis", today), "basis"),
            "channel": _tally(channel_rows, "scrutinychannel_id"),
            # Every language's name: the figures are cached for all readers.
            "channels": list(
                ScrutinyChannel.objects.values("code", "level", *translated_columns("name"))
            ),
            "source_kind": _tally(_grouped(commitments, "source_kind", today), "source_kind"),
            "level": _tally(_grouped(commitments, "step__level", today), "step__level"),
            "level_states": level_states,
        }

    raw = _cached("accountability.2", compute, regional_group, today, version=version)
    statuses = _labels(Status.choices)
    return {
        "today": today,
        "statuses": [{"status": s, "label": statuses[s]} for s in STATUS_ORDER],
        "by_basis": [_matrix_row(v, str(label), raw["basis"]) for v, label in Basis.choices],
        "by_channel": [
            _matrix_row(channel["code"], name, raw["channel"], level=channel["level"])
            for name, channel in sorted(
                (
                    (channel[language_column("name")] or channel["name"], channel)
                    for channel in raw["channels"]
                ),
                key=lambda pair: (LEVEL_ORDER.index(pair[1]["level"]), pair[0]),
            )
        ],
        "by_source_kind": [
            _matrix_row(v, str(label), raw["source_kind"])
            for v, label in Commitment.SourceKind.choices
        ],
        "by_level": [
            _matrix_row(v, str(label), raw["level"], states=raw["level_states"].get(v, 0))
            for v, label in Level.choices
        ],
    }


# --- Reporting cycles: who reported on what fell due, on time or late ---------------------------

OUTCOMES = [Outcome.ON_TIME, Outcome.LATE, Outcome.MISSING, Outcome.PENDING]


def _cycles_sql(regional_group: str | None, state: str | None) -> tuple[str, list]:
    """SQL of every review every commitment owed — the set form of
    :func:`commitments.rules.review_cycles`, held to the same answers by the tests — with the
    columns ``c`` (commitment id), ``s`` (State code), ``due_on`` and ``r`` (the report that
    answered it, or NULL). Names are joined by the callers to the few rows they keep.

    Answered reviews are stored on write (:class:`commitments.models.AnsweredReview`, replayed
    from the dated updates by the services, D-12-10): a plain scan, not a replay of every update
    per request. Unanswered: the stored ``next_review_due`` (derived by the same rule)."""
    commitments = _commitments(regional_group)
    if state:
        commitments = commitments.filter(state_id=state)
    answered = AnsweredReview.objects.all()
    if regional_group:
        answered = answered.filter(commitment__state__regional_group=regional_group)
    if state:
        answered = answered.filter(commitment__state_id=state)
    answered = (
        answered.annotate(c=F("commitment_id"), s=F("commitment__state_id"), r=F("reported_on"))
        .order_by()
        .values("c", "s", "due_on", "r")
    )
    unanswered = (
        commitments.filter(next_review_due__isnull=False)
        .annotate(
            c=F("id"),
            s=F("state_id"),
            due_on=F("next_review_due"),
        )
        .order_by()
        .values("c", "s", "due_on")
    )
    answered_sql, answered_params = answered.query.sql_with_params()
    unanswered_sql, unanswered_params = unanswered.query.sql_with_params()
    sql = (
        f"SELECT c, s, due_on, r FROM ({answered_sql}) answered "  # noqa: S608
        f"UNION ALL SELECT c, s, due_on, NULL FROM ({unanswered_sql}) unanswered"
    )
    return sql, [*answered_params, *unanswered_params]


def _date(value) -> datetime.date | None:
    """SQLite returns computed dates as text."""
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _counts() -> dict:
    return dict.fromkeys(OUTCOMES, 0) | {"due": 0}


def _add(counts: dict, values) -> dict:
    for outcome, value in zip(OUTCOMES, values, strict=True):
        counts[outcome] += value or 0
        counts["due"] += value or 0
    return counts


def _with_share(counts: dict) -> dict:
    settled = counts[Outcome.ON_TIME] + counts[Outcome.LATE] + counts[Outcome.MISSING]
    share = round(counts[Outcome.ON_TIME] / settled, 4) if settled else None
    return {
        "due": counts["due"],
        "on_time": counts[Outcome.ON_TIME],
        "late": counts[Outcome.LATE],
        "missing": counts[Outcome.MISSING],
        "pending": counts[Outcome.PENDING],
        "on_time_share": share,
    }


def _quarters(today: datetime.date, quarters: int) -> tuple[list, list]:
    """The starts and ends of the last ``quarters`` calendar quarters up to ``today``'s."""
    starts = [quarter_start(today)]
    for _ in range(quarters - 1):
        starts.append(_previous_quarter(starts[-1]))
    starts.reverse()
    return starts, [_next_quarter(start) - datetime.timedelta(days=1) for start in starts]


def _scan(
    *,
    today: datetime.date,
    period: tuple | None = None,
    quarters: tuple = ((), ()),
    regional_group: str | None = None,
    state: str | None = None,
) -> dict:
    """One pass over every review owed (:func:`_cycles_sql`): the reviews due in ``period`` by
    outcome, per State, and for each quarter of ``quarters`` the reviews overdue at its end
    (today for the current one) and those due in it by outcome. The reporting page needs both:
    one scan, not two. Returns ``{"totals", "groups", "states"}`` (the period's counts) and
    ``"trend"`` (a row of counts per quarter).

    The rows are grouped by State, quarter of the due date and outcome (a few thousand groups),
    so each review feeds a handful of sums rather than one per quarter and outcome."""
    cycles, params = _cycles_sql(regional_group, state)
    # The outcome judged today (OUTCOMES' order), and the quarter the review fell due in (-1:
    # none of them; the quarters follow each other, so one chain of "due by its end" finds it).
    outcome = (
        "CASE WHEN r IS NOT NULL AND r <= due_on THEN 0 WHEN r IS NOT NULL THEN 1 "
        "WHEN due_on < %s THEN 2 ELSE 3 END"
    )
    starts, ends = quarters
    quarter, quarter_params = "-1", []
    if starts:
        quarter = (
            "CASE WHEN due_on < %s THEN -1 "
            + " ".join(f"WHEN due_on <= %s THEN {index}" for index in range(len(ends)))
            + " ELSE -1 END"
        )
        quarter_params = [starts[0], *ends]
    columns, column_params = [], []
    if period:
        columns.append("SUM(CASE WHEN due_on >= %s AND due_on <= %s THEN 1 ELSE 0 END)")
        column_params += list(period)
    for end in ends:
        # Overdue at the end of day d: due before d, not answered by d (ReviewCycle.overdue_on).
        day = min(end, today)
        columns.append("SUM(CASE WHEN due_on < %s AND (r IS NULL OR r > %s) THEN 1 ELSE 0 END)")
        column_params += [day, day]
    # A review answered on or before the earliest day any column looks at, and due before it,
    # counts in no column: leave it out before the sums (about half the rows of a long record).
    days = [min(end, today) for end in ends] + list(starts[:1]) + list(period[:1] if period else [])
    first = min(days, default=datetime.date.min)
    sql = (
        f"SELECT s, {quarter} AS q, {outcome} AS o, {', '.join([*columns, 'COUNT(*)'])} "  # noqa: S608
        f"FROM ({cycles}) cycles WHERE r IS NULL OR r > %s OR due_on >= %s GROUP BY s, q, o"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*quarter_params, today, *column_params, *params, first, first])
        rows = cursor.fetchall()
    return _tally_scan(rows, period=period, count=len(starts))


def _tally_scan(rows, *, period, count: int) -> dict:
    names, groups_of = {}, {}
    if period:  # the period's figures name States and groups; the trend only adds up
        for code, name, group in MemberState.objects.values_list("code", "name", "regional_group"):
            names[code], groups_of[code] = name, group
    totals, groups, states = _counts(), {}, {}
    trend = [{"overdue": 0, **_counts()} for _ in range(count)]
    for code, quarter, outcome, *values in rows:
        *sums, number = values
        by_outcome = [0] * len(OUTCOMES)
        if period:
            in_period, *sums = sums
            if in_period:
                by_outcome[outcome] = in_period
                group = groups_of.get(code, "")
                record = states.get(code) or {
                    "name": names.get(code, code),
                    "group": group,
                    **_counts(),
                }
                states[code] = _add(record, by_outcome)
                _add(groups.setdefault(group, _counts()), by_outcome)
                _add(totals, by_outcome)
        for index, overdue in enumerate(sums):
            trend[index]["overdue"] += overdue or 0
        if quarter is not None and 0 <= quarter < count:
            by_outcome = [0] * len(OUTCOMES)
            by_outcome[outcome] = number
            _add(trend[quarter], by_outcome)
    return {"totals": totals, "groups": groups, "states": states, "trend": trend}


def _trend_from_tallies(today: datetime.date, starts: list, ends: list) -> list[dict]:
    """The rows of :func:`_scan`'s ``"trend"`` for every State, without reading every review:

    * answered reviews from :class:`tracker.models.ReviewTally` (maintained on write, D-16-70):
      due in a quarter, on time or late, and — for a quarter that has ended — overdue at its
      end (due before its last day, answered in a later quarter);
    * overdue *today* (the current quarter's column) among the answered reviews: those
      answered after today, by index (normally none);
    * the reviews still open (``next_review_due``), judged row by row as the scan does, grouped
      by due date: a few hundred rows. The last two in one query.

    The tests hold it to the scan's answers."""
    count = len(starts)
    trend = [{"overdue": 0, **_counts()} for _ in range(count)]
    index_of = {start: index for index, start in enumerate(starts)}
    days = [min(end, today) for end in ends]
    ended = [day == end for day, end in zip(days, ends, strict=True)]
    tallies = ReviewTally.objects.filter(
        Q(due_quarter__gte=starts[0]) | Q(answered_quarter__gt=starts[0]), n__gt=0
    ).values_list("due_quarter", "due_last_day", "answered_quarter", "late", "n")
    for due_quarter, due_last_day, answered_quarter, late, n in tallies:
        if due_quarter in index_of:
            by_outcome = [0] * len(OUTCOMES)
            by_outcome[OUTCOMES.index(Outcome.LATE if late else Outcome.ON_TIME)] = n
            _add(trend[index_of[due_quarter]], by_outcome)
        for index, start in enumerate(starts):
            # Due before the quarter's last day and answered after it (in a later quarter).
            due_before = due_quarter < start or (due_quarter == start and not due_last_day)
            if ended[index] and due_before and answered_quarter > start:
                trend[index]["overdue"] += n
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('next_review_due')}, NULL, COUNT(*) "  # noqa: S608
        f"FROM {quote(Commitment._meta.db_table)} WHERE {quote('next_review_due')} <= %s "
        f"GROUP BY {quote('next_review_due')} "
        f"UNION ALL SELECT {quote('due_on')}, {quote('reported_on')}, COUNT(*) "
        f"FROM {quote(AnsweredReview._meta.db_table)} "
        f"WHERE {quote('reported_on')} > %s AND {quote('due_on')} < %s "
        f"GROUP BY {quote('due_on')}, {quote('reported_on')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ends[-1], today, today])
        rows = cursor.fetchall()
    for due_on, reported_on, n in rows:
        cycle = ReviewCycle(due_on=_date(due_on), reported_on=_date(reported_on))
        for index in range(count):
            # Answered reviews count here only where the tallies cannot: overdue today.
            if (cycle.reported_on is None or not ended[index]) and cycle.overdue_on(days[index]):
                trend[index]["overdue"] += n
        if cycle.reported_on is None and starts[0] <= cycle.due_on <= ends[-1]:
            index = index_of[quarter_start(cycle.due_on)]
            by_outcome = [0] * len(OUTCOMES)
            by_outcome[OUTCOMES.index(cycle.outcome(today))] = n
            _add(trend[index], by_outcome)
    return trend


def _cycle_commitments(start, end, today, regional_group) -> list[dict]:
    cycles, params = _cycles_sql(regional_group, None)
    quote = connection.ops.quote_name
    sql = (
        f"SELECT cycles.c, cm.{quote('title')}, cycles.s, ms.{quote('name')}, due_on, r "  # noqa: S608
        f"FROM ({cycles}) cycles "
        f"JOIN {quote(Commitment._meta.db_table)} cm ON cm.{quote('id')} = cycles.c "
        f"JOIN {quote(MemberState._meta.db_table)} ms ON ms.{quote('code')} = cycles.s "
        "WHERE due_on >= %s AND due_on <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, start, end])
        rows = cursor.fetchall()
    listed = []
    for pk, title, code, name, due_on, reported_on in rows:
        cycle = ReviewCycle(due_on=_date(due_on), reported_on=_date(reported_on))
        listed.append(
            {
                "id": pk,
                "title": title,
                "state_code": code,
                "state_name": name,
                "due_on": cycle.due_on,
                "reported_on": cycle.reported_on,
                "outcome": cycle.outcome(today),
            }
        )
    listed.sort(key=lambda row: (row["state_name"], row["due_on"], row["id"]))
    return listed


def reporting_cycle(
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    regional_group: str | None = None,
    commitments: bool = False,
    version: str | None = None,
) -> dict:
    """The reviews that fell due from ``start`` to ``end`` (both included) and how each was
    answered, judged on ``today`` (:meth:`commitments.rules.ReviewCycle.outcome`: on time —
    early included —, late, missing, or pending while not yet overdue).

    Returns ``{"start", "end", "today", "totals": counts, "groups": [{"slug", "label",
    **counts}] (the five groups), "states": [{"code", "name", "group", **counts}] (States with
    a review due, by name), "commitments": [{"id", "title", "state_code", "state_name",
    "due_on", "reported_on", "outcome"}] (by State name, then due date; only with
    ``commitments=True``, else empty)}`` where counts are ``{"due", "on_time", "late",
    "missing", "pending", "on_time_share"}`` and the share is on time / (on time + late +
    missing), ``None`` when nothing is settled. One grouped query (two with ``commitments``).
    """
    today = today or review_today()
    raw = _cached(
        "cycle",
        lambda: _scan(today=today, period=(start, end), regional_group=regional_group),
        regional_group,
        start,
        end,
        today,
        version=version,
    )
    listed = []
    if commitments:
        listed = _cycle_commitments_cached(start, end, today, regional_group, version)
    return _cycle_figures(raw, start, end, today, regional_group, listed)


def _cycle_commitments_cached(start, end, today, regional_group, version) -> list[dict]:
    return _cached(
        "cycle-commitments",
        lambda: _cycle_commitments(start, end, today, regional_group),
        regional_group,
        start,
        end,
        today,
        version=version,
    )


def _cycle_figures(raw, start, end, today, regional_group, listed) -> dict:
    labels = _labels(RegionalGroup.choices)
    slugs = [regional_group] if regional_group else GROUP_ORDER
    return {
        "start": start,
        "end": end,
        "today": today,
        "totals": _with_share(raw["totals"]),
        "groups": [
            {"slug": slug, "label": labels[slug], **_with_share(raw["groups"].get(slug, _counts()))}
            for slug in slugs
        ],
        "states": sorted(
            (
                {"code": code, "name": row["name"], "group": row["group"], **_with_share(row)}
                for code, row in raw["states"].items()
            ),
            key=lambda row: row["name"],
        ),
        "commitments": listed,
    }


def _trend_figures(rows, starts, ends) -> dict:
    return {
        "rows": [
            {
                "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
                "start": start,
                "end": end,
                "overdue": row["overdue"],
                **_with_share(row),
            }
            for start, end, row in zip(starts, ends, rows, strict=True)
        ]
    }


def reporting(
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    regional_group: str | None = None,
    quarters: int = 8,
    commitments: bool = False,
    version: str | None = None,
) -> dict:
    """``{"cycle": reporting_cycle(...), "trend": reporting_trend(...)}`` from one scan of the
    reviews owed (what the reporting page and the stats API show together)."""
    today = today or review_today()
    bounds = _quarters(today, quarters)

    def compute():
        return _scan(
            today=today, period=(start, end), quarters=bounds, regional_group=regional_group
        )

    raw = _cached(
        "reporting", compute, regional_group, start, end, today, quarters, version=version
    )
    listed = []
    if commitments:
        listed = _cycle_commitments_cached(start, end, today, regional_group, version)
    return {
        "cycle": _cycle_figures(raw, start, end, today, regional_group, listed),
        "trend": _trend_figures(raw["trend"], *bounds),
    }


def reporting_trend(
    *,
    today: datetime.date | None = None,
    quarters: int = 8,
    regional_group: str | None = None,
    state: str | None = None,
    version: str | None = None,
) -> dict:
    """Quarter by quarter, for the last ``quarters`` quarters up to the current one: the
    reviews overdue at the end of the quarter (or today, for the current one) and the on-time
    share of the reviews that fell due in it — computed from the dated updates and due dates
    (the reviews of :func:`_cycles_sql`), never from stored snapshots. ``state`` (an ISO3
    code) restricts it to one State's commitments (its profile). One query.

    Returns ``{"rows": [{"quarter": "2026-Q1", "start": date, "end": date, "overdue": int,
    **counts}]}`` oldest first (counts as in :func:`reporting_cycle`).
    """
    today = today or review_today()
    bounds = _quarters(today, quarters)

    def compute():
        if not regional_group and not state:
            return _trend_from_tallies(today, *bounds)
        scan = _scan(today=today, quarters=bounds, regional_group=regional_group, state=state)
        return scan["trend"]

    raw = _cached("trend", compute, regional_group, state, today, quarters, version=version)
    return _trend_figures(raw, *bounds)


# --- Everything the dashboard shows --------------------------------------------------------------


def dashboard(*, today: datetime.date | None = None, regional_group: str | None = None) -> dict:
    """All the figures of the global dashboard (or of one regional group's page).

    Returns ``{"today": date, "version": str (the data version key: it changes whenever the
    data does, so callers can cache what they derive from the figures), "last_changed":
    datetime | None, "coverage": ...,
    "by_status": ..., "by_level": ..., "by_step": ..., "overdue": ..., "per_quarter": ...,
    "recent": ..., "tiles": ...}`` where each value is the return value of the function of
    that name above (``tiles``: :func:`state_tiles`).
    One query when the cache is warm (``data_version``).
    """
    today = today or review_today()
    version = data_version()
    key = version["key"]
    return {
        "today": today,
        "version": key,
        "last_changed": version["last_changed"],
        "coverage": focal_point_coverage(regional_group=regional_group, version=key),
        "by_status": commitments_by_status(regional_group=regional_group, version=key),
        "scrutiny": independent_scrutiny(regional_group=regional_group, version=key),
        "by_level": commitments_by_level(regional_group=regional_group, version=key),
        "by_step": commitments_by_step(regional_group=regional_group, version=key),
        "overdue": overdue_reviews(today=today, regional_group=regional_group, version=key),
        "per_quarter": updates_per_quarter(today=today, regional_group=regional_group, version=key),
        "recent": recent_updates(regional_group=regional_group, version=key),
        "tiles": state_tiles(today=today, regional_group=regional_group, version=key),
    }
