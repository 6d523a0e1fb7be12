"""One FilterSet per resource. Every list takes ``updated_since`` (ISO 8601 date or date-time:
rows changed at or after it) and ``ordering``; every ordering ends with the row's key, so pages
are stable and a partner can mirror the data by polling."""

import copy
import datetime

import django_filters as filters
from django import forms
from django.core.validators import RegexValidator, validate_slug
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ValidationError

from commitments.models import (
    ORIGIN_FILTERS,
    Assessment,
    AssessmentChannel,
    Basis,
    Body,
    Commitment,
    CommitmentRevision,
    DocumentedPractice,
    Evidence,
    Level,
    PreventionStep,
    ProgressUpdate,
    RequestedBy,
    Resolution,
    RevisionField,
    RiskFactor,
    Status,
    origin_q,
    overdue_for_q,
    overdue_q,
    target_missed_q,
)
from commitments.rules import assessment_disagrees_q, disagreement_q, independently_assessed_q
from commitments.selectors import review_today
from focalpoints.models import FocalPoint, MemberState, Organisation, RegionalGroup, Verification

BOOLEANS = ("true", "false")


BIGINT_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGINT_MAX})
class IdFilter(filters.NumberFilter):
    """A row id: a positive whole number that fits the database's key."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 99})
class RiskFactorNumberFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=99, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 36500})
class DaysFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=36500, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


@extend_schema_field(
    {"type": "string", "pattern": "^[A-Za-z]{3}(,[A-Za-z]{3})*$", "example": "GHA,KEN"}
)
class Iso3ListFilter(filters.CharFilter):
    """One or several ISO 3166 alpha-3 codes, comma-separated, in any case (``gha,KEN``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("ISO 3166 alpha-3 codes, comma-separated, e.g. GHA,KEN."))
        validator = RegexValidator(r"^[A-Za-z]{3}(,[A-Za-z]{3})*$")
        super().__init__(*args, validators=[validator], **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        codes = sorted({code.upper() for code in value.split(",")})
        return qs.filter(**{f"{self.field_name}__in": codes})


@extend_schema_field({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"})
class CodeFilter(filters.CharFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, validators=[validate_slug], **kwargs)


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering on the listed fields, always followed by the key so ties never reorder."""

    def __init__(self, *args, key="pk", default=("pk",), **kwargs):
        self.key = key
        self.default = list(default)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or () if param]
        ordering = ordering or self.default
        if not any(term.lstrip("-") in (self.key, "pk") for term in ordering):
            ordering.append(self.key)
        return qs.order_by(*ordering)


class ApiFilterSet(filters.FilterSet):
    """Base of every FilterSet. django-filter calls each filter, ``ordering`` included, even
    when the client gives no value, so the stable default ordering always applies.

    An empty value (``?status=``) means "no filter", as in django-filter and HTML forms; a
    parameter given twice is refused (give several values comma-separated where a filter takes
    several), and so is a parameter the endpoint does not know (tracker/api/params.py).

    Per request, django-filter deep-copies every filter and builds a new form class from new
    form fields (whose choice lists are deep-copied again): a few milliseconds, more than
    serialising a 100-row page (measured, D-16-12). The filters hold no per-request state but
    ``model`` and ``parent``, so here they are copied shallowly and the form class is built once
    per FilterSet class from the declared filters' fields (the form instance, and the values it
    cleans, stay per request)."""

    _form_classes: dict = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # binds the copy's FilterMethod to the copy

    def get_form_class(self):
        cls = type(self)
        form_class = ApiFilterSet._form_classes.get(cls)
        if form_class is None:
            fields = {name: filter_.field for name, filter_ in self.base_filters.items()}
            form_class = type(f"{cls.__name__}Form", (self._meta.form,), fields)
            ApiFilterSet._form_classes[cls] = form_class
        return form_class

    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            message = None
            if len(values) > 1:
                message = _("Give this parameter once.")
            elif not values or values[0] == "":
                continue
            elif isinstance(filter_, filters.BooleanFilter) and values[0] not in BOOLEANS:
                message = _("Use true or false.")
            elif isinstance(filter_, filters.OrderingFilter) and "" in values[0].split(","):
                message = _("Name the fields to order by, separated by commas.")
            if message:
                if name in self.form.errors:
                    continue
                self.form.add_error(name, message)
                valid = False
        return valid


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    """``updated_since``: an ISO 8601 date or date-time, compared in UTC. Instants at the very
    edge of the calendar (year 1 with a positive offset, year 9999 with a negative one) are
    clamped instead of overflowing."""

    def filter(self, qs, value):
        if value is None:
            return qs
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:
            edge = datetime.datetime.min if value.year < 2 else datetime.datetime.max
            value = edge.replace(tzinfo=datetime.UTC)
        return super().filter(qs, value)


def _updated_since(field: str, what: str):
    return UpdatedSinceFilter(
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
    member_state = Iso3ListFilter(field_name="state_id")
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
    year = YearFilter(field_name="adopted_on", lookup_expr="year", label=_("Year adopted."))
    member_state = Iso3ListFilter(field_name="states__code")
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


class RiskFactorFilter(ApiFilterSet):
    kind = filters.ChoiceFilter(choices=RiskFactor.Kind.choices)
    step = CodeFilter(
        field_name="steps__code", label=_("Only the factors this prevention step addresses.")
    )
    updated_since = _updated_since("updated_at", "changed")
    ordering = StableOrderingFilter(
        fields=(("number", "number"), ("updated_at", "updated_at")),
        key="number",
        default=("number",),
    )

    class Meta:
        model = RiskFactor
        fields = ["kind", "step"]


class ChoiceListFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """One or several values of a vocabulary, comma-separated (``status=limited,complete``)."""


# A yes/no filter whose select on the web says "Any", "Yes", "No" (the API reads true/false).
YES_NO_WIDGET = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class YesNoFilter(filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YES_NO_WIDGET)
        super().__init__(*args, **kwargs)


def _yes_no(rule):
    """A yes/no filter method from a rule ``rule(today) -> Q``."""

    def method(self, queryset, name, value):
        if value is None:
            return queryset
        condition = rule(review_today())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    return method


def has_evidence_q() -> Q:
    """At least one published evidence item (link or document) on any of its updates,
    corrections included."""
    return Q(Exists(Evidence.objects.filter(update__commitment=OuterRef("pk"))))


class DocumentedPracticeFilter(ApiFilterSet):
    member_state = Iso3ListFilter(field_name="state_id")
    step = CodeFilter(field_name="step__code", label=_("Prevention step code, e.g. N1."))
    verification = filters.ChoiceFilter(choices=Verification.choices)
    updated_since = _updated_since("updated_at", "changed")
    ordering = StableOrderingFilter(
        fields=(("year", "year"), ("updated_at", "updated_at")),
        key="id",
        default=("id",),
    )

    class Meta:
        model = DocumentedPractice
        fields = ["verification"]


class CommitmentFilter(ApiFilterSet):
    """The one declaration of how commitments are filtered: the API list and the public web
    list (``/commitments/``, with its facet counts) both use it."""

    member_state = Iso3ListFilter(field_name="state_id")
    regional_group = filters.ChoiceFilter(
        field_name="state__regional_group", choices=RegionalGroup.choices
    )
    status = ChoiceListFilter(
        choices=Status.choices, label=_("Current status; several comma-separated.")
    )
    basis = filters.ChoiceFilter(choices=Basis.choices, label=_("Basis of responsibility."))
    channel = CodeFilter(
        method="filter_channel", label=_("Scrutiny channel code, e.g. upr or parliament.")
    )
    source_kind = filters.ChoiceFilter(
        choices=Commitment.SourceKind.choices, label=_("Where it was pledged.")
    )
    step = CodeFilter(field_name="step__code", label=_("Prevention step code, e.g. N1."))
    level = filters.ChoiceFilter(field_name="step__level", choices=Level.choices)
    risk_factor = RiskFactorNumberFilter(
        method="filter_risk_factor",
        label=_("Risk factor number (Framework of Analysis) addressed by the step."),
    )
    overdue = YesNoFilter(method="filter_overdue", label=_("Review overdue today."))
    days_overdue_min = DaysFilter(
        method="filter_days_overdue", label=_("Review overdue by at least this many days.")
    )
    target_missed = YesNoFilter(
        method="filter_target_missed", label=_("Target date passed and not complete.")
    )
    pledged_from = filters.DateFilter(
        field_name="pledged_on", lookup_expr="gte", label=_("Pledged on or after this date.")
    )
    pledged_until = filters.DateFilter(
        field_name="pledged_on", lookup_expr="lte", label=_("Pledged on or before this date.")
    )
    reported_from = filters.DateFilter(
        field_name="last_reported_on",
        lookup_expr="gte",
        label=_("Last reported on or after this date."),
    )
    reported_until = filters.DateFilter(
        field_name="last_reported_on",
        lookup_expr="lte",
        label=_("Last reported on or before this date."),
    )
    has_evidence = YesNoFilter(
        method="filter_has_evidence", label=_("With published evidence on an update.")
    )
    origin = filters.ChoiceFilter(
        choices=ORIGIN_FILTERS,
        method="filter_origin",
        label=_("Origin of the pledge; upr-accepted and upr-noted by the State's response."),
    )
    independently_assessed = YesNoFilter(
        method="filter_independently_assessed",
        label=_("With a published independent assessment."),
    )
    disagrees = YesNoFilter(
        method="filter_disagrees",
        label=_("The latest independent status disagrees with the government's."),
    )
    is_demo = YesNoFilter(label=_("Demonstration rows (false to exclude them)."))
    updated_since = _updated_since("updated_at", "changed (a new update changes its commitment)")
    ordering = StableOrderingFilter(
        fields=(
            ("id", "id"),
            ("pledged_on", "pledged_on"),
            ("next_review_due", "next_review_due"),
            ("last_reported_on", "last_reported_on"),
            ("target_date", "target_date"),
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

    filter_overdue = _yes_no(overdue_q)
    filter_target_missed = _yes_no(target_missed_q)
    filter_independently_assessed = _yes_no(lambda today: independently_assessed_q())
    filter_disagrees = _yes_no(lambda today: disagreement_q())

    def filter_has_evidence(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(has_evidence_q() if value else ~has_evidence_q())

    def filter_days_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_for_q(review_today(), value))

    def filter_channel(self, queryset, name, value):
        # EXISTS, not a join: a commitment with two channels must not come twice.
        through = Commitment.channels.through.objects.filter(
            commitment_id=OuterRef("pk"), scrutinychannel_id=value
        )
        return queryset.filter(Exists(through)) if value else queryset

    def filter_risk_factor(self, queryset, name, value):
        if value is None:
            return queryset
        through = PreventionStep.risk_factors.through.objects.filter(
            preventionstep_id=OuterRef("step_id"), riskfactor__number=value
        )
        return queryset.filter(Exists(through))

    def filter_origin(self, queryset, name, value):
        return queryset.filter(origin_q(value)) if value else queryset


class ProgressUpdateFilter(ApiFilterSet):
    commitment = IdFilter(field_name="commitment_id", label=_("Commitment id."))
    member_state = Iso3ListFilter(field_name="commitment__state_id")
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


class CommitmentRevisionFilter(ApiFilterSet):
    commitment = IdFilter(field_name="commitment_id", label=_("Commitment id."))
    member_state = Iso3ListFilter(field_name="commitment__state_id")
    field = filters.ChoiceFilter(choices=RevisionField.choices, label=_("The term changed."))
    requested_by_role = filters.ChoiceFilter(
        choices=RequestedBy.choices, label=_("At whose request.")
    )
    is_demo = filters.BooleanFilter(label=_("Demonstration rows (false to exclude them)."))
    updated_since = _updated_since("created_at", "published (revisions are never changed)")
    ordering = StableOrderingFilter(
        fields=(("id", "id"), ("created_at", "created_at")), key="id", default=("id",)
    )

    class Meta:
        model = CommitmentRevision
        fields = ["commitment", "member_state", "field", "requested_by_role", "is_demo"]


class OrganisationFilter(ApiFilterSet):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    country = Iso3ListFilter(field_name="country_id")
    international = filters.BooleanFilter(
        field_name="country", lookup_expr="isnull", label=_("International (no country).")
    )
    is_demo = filters.BooleanFilter(label=_("Demonstration rows (false to exclude them)."))
    updated_since = _updated_since("updated_at", "changed")
    ordering = StableOrderingFilter(
        fields=(("id", "id"), ("name", "name"), ("updated_at", "updated_at")),
        key="id",
        default=("id",),
    )

    class Meta:
        model = Organisation
        fields = ["kind", "country", "international", "is_demo"]


class AssessmentFilter(ApiFilterSet):
    commitment = IdFilter(field_name="commitment_id", label=_("Commitment id."))
    member_state = Iso3ListFilter(field_name="commitment__state_id")
    organisation = IdFilter(field_name="organisation_id", label=_("Organisation id."))
    status = ChoiceListFilter(
        choices=Assessment._meta.get_field("status").choices,
        label=_("Independent status; several comma-separated."),
    )
    channel = filters.ChoiceFilter(
        choices=AssessmentChannel.choices, label=_("Through what it was produced.")
    )
    disagrees = YesNoFilter(
        method="filter_disagrees",
        label=_("Its status disagrees with the government's current status."),
    )
    disputed = filters.BooleanFilter(
        field_name="disputed_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Disputed by the secretariat."),
    )
    is_demo = filters.BooleanFilter(label=_("Demonstration rows (false to exclude them)."))
    updated_since = _updated_since("last_changed", "published, disputed or replied to")
    ordering = StableOrderingFilter(
        fields=(
            ("id", "id"),
            ("period_end", "period_end"),
            ("published_at", "published_at"),
            ("last_changed", "last_changed"),
        ),
        key="id",
        default=("id",),
    )

    class Meta:
        model = Assessment
        fields = ["commitment", "member_state", "organisation", "status", "channel", "is_demo"]

    def filter_disagrees(self, queryset, name, value):
        if value is None:
            return queryset
        condition = assessment_disagrees_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class SearchFilter(drf_filters.SearchFilter):
    """DRF's search (``?search=``), with the parameter's real constraint in the schema and its
    error reported on the parameter."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        if "\x00" in value:
            raise ValidationError({self.search_param: [_("Null characters are not allowed.")]})
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["pattern"] = "^[^\\x00]*$"
        return parameters


@extend_schema_field({"type": "string", "pattern": "^\\d{4}(-Q[1-4])?$", "example": "2026-Q2"})
class PeriodFilter(filters.CharFilter):
    """A quarter (``2026-Q2``) or a year (``2026``); read by the view, filters nothing."""

    def __init__(self, *args, **kwargs):
        validator = RegexValidator(r"^\d{4}(-Q[1-4])?$")
        super().__init__(*args, validators=[validator], method=lambda qs, name, value: qs, **kwargs)


class StatsFilter(ApiFilterSet):
    regional_group = filters.ChoiceFilter(
        choices=RegionalGroup.choices, label=_("Only the States of this UN regional group.")
    )
    period = PeriodFilter(
        label=_(
            "The reporting cycle's period: a quarter (2026-Q2) or a year (2026); default: "
            "the current quarter."
        )
    )

    class Meta:
        model = MemberState
        fields = ["regional_group"]
