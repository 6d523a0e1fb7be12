"""The public commitments list: the API's FilterSet (``tracker.api.filters.CommitmentFilter``,
the one declaration of every filter) applied to the web list, and the facet counts beside each
option — how many rows that choice would give with the other filters applied. One query per
facet, whatever the size of the data."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from commitments.models import (
    ORIGIN_FILTERS,
    Basis,
    Commitment,
    Level,
    RiskFactor,
    ScrutinyChannel,
    Status,
    origin_q,
    overdue_q,
    target_missed_q,
)
from commitments.rules import disagreement_q, independently_assessed_q
from focalpoints.localisation import expression as localisation_expression
from focalpoints.models import RegionalGroup, state_name_order
from tracker.api.filters import CommitmentFilter, has_evidence_q

YES_NO = [("true", _("Yes")), ("false", _("No"))]


def _by_field(field: str, choices) -> Callable[[QuerySet, datetime.date], list]:
    def count(rows: QuerySet, today: datetime.date) -> list:
        found = dict(rows.order_by().values_list(field).annotate(n=Count("pk")))
        return [(value, label, found.get(value, 0)) for value, label in choices]

    return count


def _yes_no(condition: Callable[[datetime.date], Q]):
    def count(rows: QuerySet, today: datetime.date) -> list:
        rule = condition(today)
        found = rows.order_by().aggregate(
            yes=Count("pk", filter=rule), no=Count("pk", filter=~rule)
        )
        return [("true", YES_NO[0][1], found["yes"]), ("false", YES_NO[1][1], found["no"])]

    return count


def _channels(rows: QuerySet, today: datetime.date) -> list:
    # Names and counts in one query: each channel counts the listed commitments it scrutinises.
    listed = Q(commitments__in=rows.order_by().values("pk"))
    channels = ScrutinyChannel.objects.annotate(
        n=Count("commitments", filter=listed), local_name=localisation_expression("name")
    )
    return list(channels.values_list("code", "local_name", "n"))


def _risk_factors(rows: QuerySet, today: datetime.date) -> list:
    listed = Q(steps__commitments__in=rows.order_by().values("pk"))
    factors = RiskFactor.objects.annotate(
        n=Count("steps__commitments", filter=listed, distinct=True),
        local_name=localisation_expression("name"),
    ).order_by("number")
    return [
        (str(number), f"{number}. {name}", n)
        for number, name, n in factors.values_list("number", "local_name", "n")
    ]


def _origins(rows: QuerySet, today: datetime.date) -> list:
    # The origin filter's options overlap (a UPR recommendation, and the accepted ones among
    # them): one conditional count per option, in one query.
    found = rows.order_by().aggregate(
        **{
            f"o{i}": Count("pk", filter=origin_q(value))
            for i, (value, _l) in enumerate(ORIGIN_FILTERS)
        }
    )
    return [(value, label, found[f"o{i}"]) for i, (value, label) in enumerate(ORIGIN_FILTERS)]


@dataclass(frozen=True)
class Facet:
    name: str  # the filter's parameter
    label: str
    count: Callable[[QuerySet, datetime.date], list]  # [(value, label, count)], one query
    compact: bool = False  # a long list: options that would give nothing are not shown


FACETS = [
    Facet("status", _("Status"), _by_field("status", Status.choices)),
    Facet("basis", _("Basis of responsibility"), _by_field("basis", Basis.choices)),
    Facet("channel", _("Scrutiny channel"), _channels, compact=True),
    Facet(
        "source_kind",
        _("Where it was pledged"),
        _by_field("source_kind", Commitment.SourceKind.choices),
    ),
    Facet("origin", _("Origin of the pledge"), _origins),
    Facet("level", _("Level"), _by_field("step__level", Level.choices)),
    Facet(
        "regional_group",
        _("Regional group"),
        _by_field("state__regional_group", RegionalGroup.choices),
    ),
    Facet("risk_factor", _("Risk factor addressed"), _risk_factors, compact=True),
    Facet("overdue", _("Review overdue"), _yes_no(overdue_q)),
    Facet("target_missed", _("Target missed"), _yes_no(target_missed_q)),
    Facet("has_evidence", _("Published evidence"), _yes_no(lambda today: has_evidence_q())),
    Facet(
        "independently_assessed",
        _("Independently assessed"),
        _yes_no(lambda today: independently_assessed_q()),
    ),
    Facet(
        "disagrees",
        _("Independent assessment disagrees"),
        _yes_no(lambda today: disagreement_q()),
    ),
    Facet("is_demo", _("Demonstration data"), _yes_no(lambda today: Q(is_demo=True))),
]
FACET_NAMES = frozenset(facet.name for facet in FACETS)

# The filters the web form shows as inputs (the others are facets, or API-only).
WEB_INPUTS = {
    "member_state": _("States (ISO3 codes, comma-separated)"),
    "step": _("Prevention step code"),
    "days_overdue_min": _("Overdue by at least (days)"),
    "pledged_from": _("Pledged from"),
    "pledged_until": _("Pledged until"),
    "reported_from": _("Last reported from"),
    "reported_until": _("Last reported until"),
}
DATE_INPUTS = frozenset({"pledged_from", "pledged_until", "reported_from", "reported_until"})


def web_order() -> tuple:
    """The page's default order: by State name as the reader's language sorts it."""
    return (state_name_order("state__"), "pledged_on", "id")


def web_filterset(data: QueryDict, queryset: QuerySet) -> CommitmentFilter:
    """The FilterSet bound to a page's query, its form labelled for the page. An invalid value
    is reported beside its field and ignored; the valid filters still apply."""
    filterset = CommitmentFilter(data, queryset=queryset)
    fields = filterset.form.fields
    for name, label in WEB_INPUTS.items():
        fields[name].label = label
        if name in DATE_INPUTS:
            fields[name].widget = forms.DateInput(attrs={"type": "date"})
    return filterset


def filtered_commitments(filterset: CommitmentFilter) -> QuerySet:
    rows = filterset.qs
    if not filterset.form.cleaned_data.get("ordering"):
        rows = rows.order_by(*web_order())
    return rows


def _url(data: QueryDict, name: str, value: str | None) -> str:
    params = data.copy()
    params.pop("page", None)
    params.pop(name, None)
    if value is not None:
        params[name] = value
    return "?" + params.urlencode()


def facet_counts(data: QueryDict, queryset: QuerySet, *, today: datetime.date) -> list[dict]:
    """Each facet with its options: ``{"name", "label", "selected" (values), "compact",
    "clear_url",
    "options": [{"value", "label", "count", "selected", "url"}]}``. A facet's counts apply
    every filter but its own. One query per facet."""
    facets = []
    for facet in FACETS:
        others = data.copy()
        others.pop(facet.name, None)
        rows = CommitmentFilter(others, queryset=queryset).qs
        raw = data.get(facet.name, "")
        selected = {value.strip() for value in raw.split(",") if value.strip()}
        options = [
            {
                "value": value,
                "label": label,
                "count": count,
                "selected": value in selected,
                "url": _url(data, facet.name, value),
            }
            for value, label, count in facet.count(rows, today)
        ]
        facets.append(
            {
                "name": facet.name,
                "label": facet.label,
                "selected": sorted(selected),
                "compact": facet.compact,
                "clear_url": _url(data, facet.name, None),
                "options": options,
            }
        )
    return facets
