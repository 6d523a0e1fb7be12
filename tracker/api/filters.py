"""One FilterSet per resource. Every list takes ``updated_since`` (ISO 8601 date or date-time:
rows changed at or after it) and ``ordering``; every ordering ends with the row's key, so pages
are stable and a partner can mirror the data by polling."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from commitments.models import (
    Body,
    Commitment,
    Level,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    Status,
)
from commitments.selectors import overdue_q, review_today
from focalpoints.models import FocalPoint, MemberState, RegionalGroup

ISO3 = _("ISO 3166 alpha-3 code, e.g. GHA.")


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering on the listed fields, always followed by the key so ties never reorder."""

    def __init__(self, *args, key="pk", default=("pk",), **kwargs):
        self.key = key
        self.default = list(default)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value] if value else []
        ordering = ordering or self.default
        if not any(term.lstrip("-") in (self.key, "pk") for term in ordering):
            ordering.append(self.key)
        return qs.order_by(*ordering)


class ApiFilterSet(filters.FilterSet):
    """Base of every FilterSet. django-filter calls each filter, ``ordering`` included, even
    when the client gives no value, so the stable default ordering always applies."""


def _updated_since(field: str, what: str):
    return filters.IsoDateTimeFilter(
        field_name=field,
        lookup_expr="gte",
        label=_("Rows %(what)s at or after this ISO 8601 date-time (UTC if no offset).")
        % {"what": what},
    )


class MemberStateFilter(ApiFilterSet):
    regional_group = filters.ChoiceFilter(choices=RegionalGroup.choices)
    kind = filters.ChoiceFilter(choices=MemberState.Kind.choices)
    has_focal_point = filters.BooleanFilter(label=_("With a current focal point."))
    updated_since = _updated_since(
        "last_changed", "whose State, focal points or commitments changed"
    )
    ordering = StableOrderingFilter(
        fields=(("code", "code"), ("name", "name"), ("last_changed", "last_changed")),
        key="code",
        default=("code",),
    )

    class Meta:
        model = MemberState
        fields = ["regional_group", "kind", "has_focal_point"]


class FocalPointFilter(ApiFilterSet):
    member_state = filters.CharFilter(field_name="state_id", label=ISO3)
    regional_group = filters.ChoiceFilter(
        field_name="state__regional_group", choices=RegionalGroup.choices
    )
    current = filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("Current appointments only.")
    )
    updated_since = _updated_since("updated_at", "changed")
    ordering = StableOrderingFilter(
        fields=(("appointed_on", "appointed_on"), ("updated_at", "updated_at"), ("id", "id")),
        key="id",
        default=("id",),
    )

    class Meta:
        model = FocalPoint
        fields = ["member_state", "regional_group", "current"]


class ResolutionFilter(ApiFilterSet):
    body = filters.ChoiceFilter(choices=Body.choices)
    year = filters.NumberFilter(
        field_name="adopted_on", lookup_expr="year", label=_("Year adopted.")
    )
    member_state = filters.CharFilter(field_name="states__code", label=ISO3)
    updated_since = _updated_since("updated_at", "changed")
    ordering = StableOrderingFilter(
        fields=(
            ("adopted_on", "adopted_on"),
            ("symbol", "symbol"),
            ("updated_at", "updated_at"),
            ("id", "id"),
        ),
        key="id",
        default=("id",),
    )

    class Meta:
        model = Resolution
        fields = ["body", "year", "member_state"]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()


class PreventionStepFilter(ApiFilterSet):
    level = filters.ChoiceFilter(choices=Level.choices)
    updated_since = _updated_since("updated_at", "changed")
    ordering = StableOrderingFilter(
        fields=(("code", "code"), ("level", "level"), ("updated_at", "updated_at")),
        key="code",
        default=("code",),
    )

    class Meta:
        model = PreventionStep
        fields = ["level"]


class CommitmentFilter(ApiFilterSet):
    member_state = filters.CharFilter(field_name="state_id", label=ISO3)
    regional_group = filters.ChoiceFilter(
        field_name="state__regional_group", choices=RegionalGroup.choices
    )
    status = filters.ChoiceFilter(choices=Status.choices)
    step = filters.CharFilter(field_name="step__code", label=_("Prevention step code, e.g. N1."))
    level = filters.ChoiceFilter(field_name="step__level", choices=Level.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Review overdue today."))
    is_demo = filters.BooleanFilter(label=_("Demonstration rows (false to exclude them)."))
    updated_since = _updated_since("updated_at", "changed (a new update changes its commitment)")
    ordering = StableOrderingFilter(
        fields=(
            ("id", "id"),
            ("pledged_on", "pledged_on"),
            ("next_review_due", "next_review_due"),
            ("last_reported_on", "last_reported_on"),
            ("updated_at", "updated_at"),
            ("state_id", "member_state"),
            ("status", "status"),
        ),
        key="id",
        default=("id",),
    )

    class Meta:
        model = Commitment
        fields = ["member_state", "regional_group", "status", "step", "level", "is_demo"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(review_today())
        return queryset.filter(q) if value else queryset.exclude(q)


class ProgressUpdateFilter(ApiFilterSet):
    commitment = filters.NumberFilter(field_name="commitment_id", label=_("Commitment id."))
    member_state = filters.CharFilter(field_name="commitment__state_id", label=ISO3)
    since = filters.DateFilter(
        field_name="reported_on", lookup_expr="gte", label=_("Reported on or after this date.")
    )
    is_demo = filters.BooleanFilter(label=_("Demonstration rows (false to exclude them)."))
    updated_since = _updated_since("created_at", "published (updates are never changed)")
    ordering = StableOrderingFilter(
        fields=(("id", "id"), ("reported_on", "reported_on"), ("created_at", "created_at")),
        key="id",
        default=("id",),
    )

    class Meta:
        model = ProgressUpdate
        fields = ["commitment", "member_state", "since", "is_demo"]
