"""The public read API (anonymous), the token-authenticated progress update, and stats.

Views are declarative: a queryset from the selectors with what each row needs joined or
prefetched (so the query count never depends on the page size), a serializer, a FilterSet.
Writes go through ``commitments.services.progress_update_create`` — the one implementation the
workspace form uses too.
"""

import datetime
import hashlib

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from commitments.models import (
    Commitment,
    DocumentedPractice,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RiskFactor,
    Status,
    overdue_q,
)
from commitments.selectors import review_today
from commitments.services import EvidenceLink, progress_update_create
from focalpoints.localisation import translated_columns
from focalpoints.models import FocalPoint, MemberState
from tracker import stats
from tracker.api import filters, serializers
from tracker.api.authentication import ApiTokenAuthentication
from tracker.api.exceptions import ErrorSerializer
from tracker.api.pagination import ApiPagination
from tracker.api.params import StrictQueryParametersMixin
from tracker.api.renderers import CSVRenderer, StrictContentNegotiation
from tracker.api.throttling import AnonThrottle, SearchThrottle, UserThrottle
from tracker.forms import ReportingPeriodForm

API_VERSION = "v1"
# A commitment's own columns (its State's and step's are read only as far as rows show them).
COMMITMENT_COLUMNS = [field.attname for field in Commitment._meta.concrete_fields]


def _progress_updates():
    """Updates with their State's code, what corrects them, their evidence and the translations
    of their narrative."""
    corrected_by = ProgressUpdate.objects.filter(corrects=OuterRef("pk")).values("pk")[:1]
    return ProgressUpdate.objects.annotate(
        member_state_code=F("commitment__state_id"),
        corrected_by=Subquery(corrected_by),
    ).prefetch_related("evidence", "translations")


def _latest_changes(tables) -> dict:
    """``{"r0": datetime | None, ...}``: the latest change in each (model, column), in one
    query of index lookups (``SELECT (SELECT MAX(col) FROM t1), ...``)."""
    if not tables:
        return {}
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT MAX({quote(column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model, column in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    latest = {}
    for index, value in enumerate(row):
        if isinstance(value, str):  # SQLite returns text for MAX() over a datetime column
            value = datetime.datetime.fromisoformat(value)
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        latest[f"r{index}"] = value
    return latest


def attach_keys(rows, relation: str, attr: str, key: str | None = None) -> None:
    """Set ``row.<attr>`` to the sorted keys of the rows related through the many-to-many
    ``relation`` (their primary key, or ``key``), for a whole page in one query on the through
    table: lists of plain values, without building a model and a manager per related row as
    ``prefetch_related`` does."""
    if not rows:
        return
    field = rows[0]._meta.get_field(relation)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    value = f"{target}__{key}" if key else f"{target}_id"
    pairs = (
        through.objects.filter(**{f"{source}_id__in": [row.pk for row in rows]})
        .order_by()
        .values_list(f"{source}_id", value)
    )
    found: dict = {}
    for owner, related in pairs:
        found.setdefault(owner, []).append(related)
    for row in rows:
        setattr(row, attr, sorted(found.get(row.pk, ())))


class ConditionalReadMixin:
    """ETag / Last-Modified validators computed by one aggregate query over the filtered rows
    (count, and the latest change of each table the rows show), *before* any row is read or
    rendered: a ``304`` costs that one query. The ETag also covers the URL (filters, page,
    format) and today's date (overdue flags change at midnight)."""

    validator_fields: tuple[str, ...] = ("updated_at",)

    # Tables whose latest change anywhere also changes what the rows show (a State's group on
    # its commitments, a correction on the update it corrects): read as one uncorrelated
    # sub-query each (an index lookup, evaluated once), never joined to the rows.
    validator_tables: tuple[tuple[type, str], ...] = ()

    def _validators(self, queryset):
        aggregates = {"n": Count("pk")}
        for index, field in enumerate(self.validator_fields):
            aggregates[f"t{index}"] = Max(field)
        values = queryset.order_by().aggregate(**aggregates)
        values.update(_latest_changes(self.validator_tables))
        stamps = [v for k, v in values.items() if k != "n" and v is not None]
        last = max(stamps) if stamps else None
        basis = "|".join(
            [
                API_VERSION,
                self.request.get_full_path(),
                self.request.accepted_renderer.format,
                review_today().isoformat(),
                repr(sorted(values.items())),
            ]
        )
        etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'
        return values["n"], etag, last

    def _conditional(self, etag, last):
        last_ts = int(last.timestamp()) if last else None
        return get_conditional_response(self.request, etag=etag, last_modified=last_ts)

    @staticmethod
    def _stamp(response, etag, last):
        response["ETag"] = etag
        if last is not None:
            response["Last-Modified"] = http_date(last.timestamp())
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        patch_vary_headers(response, ["Accept", "Authorization"])
        return response

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        count, etag, last = self._validators(queryset)
        not_modified = self._conditional(etag, last)
        if not_modified is not None:
            return self._stamp(not_modified, etag, last)
        request._api_known_count = count  # the paginator need not count again
        rows = self._page_rows(queryset)
        serializer = self.get_serializer(rows, many=True)
        return self._stamp(self.get_paginated_response(serializer.data), etag, last)

    def _page_rows(self, queryset):
        """A "deferred join": page through the keys alone (an index scan, however deep the
        page), then read only that page's rows with their joins, annotations and prefetches.
        A plain OFFSET would join and compute every row it skips."""
        key = queryset.model._meta.pk.attname
        page_keys = list(self.paginate_queryset(queryset.values_list(key, flat=True)))
        page = self.decorate(queryset.filter(pk__in=page_keys))
        rows = {getattr(row, key): row for row in page}
        rows = [rows[k] for k in page_keys]
        self.attach(rows)
        return rows

    def decorate(self, queryset):
        """What only the rows of a page need (annotations the filters do not use)."""
        return queryset

    def attach(self, rows) -> None:
        """Add the keys of many-to-many relations to the page's rows (see attach_keys)."""

    def retrieve(self, request, *args, **kwargs):
        lookup = {self.lookup_field: kwargs[self.lookup_url_kwarg or self.lookup_field]}
        queryset = self.filter_queryset(self.get_queryset()).filter(**lookup)
        count, etag, last = self._validators(queryset)
        if not count:
            raise NotFound()
        not_modified = self._conditional(etag, last)
        if not_modified is not None:
            return self._stamp(not_modified, etag, last)
        instance = self.get_object()
        self.attach([instance])
        response = Response(self.get_serializer(instance).data)
        return self._stamp(response, etag, last)


class PublicReadViewSet(
    StrictQueryParametersMixin, ConditionalReadMixin, viewsets.ReadOnlyModelViewSet
):
    """Anonymous, read-only. A token is accepted (and gives the higher per-user rate)."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, UserThrottle, SearchThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = StrictContentNegotiation
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": review_today()}


def _per_state(queryset, aggregate):
    """One figure over a State's rows, as a correlated sub-query (an index scan per State:
    far cheaper than joining 20,000 commitments and grouping them)."""
    return Subquery(
        queryset.filter(state=OuterRef("pk"))
        .order_by()
        .values("state")
        .annotate(value=aggregate)
        .values("value")
    )


def _member_states():
    """States with their current focal point and the latest change of the State, its focal
    points or its commitments (what ``updated_since`` and the validators read)."""
    current = FocalPoint.objects.current().filter(state=OuterRef("pk"))
    return MemberState.objects.annotate(
        has_focal_point=Exists(current),
        focal_point_since=Subquery(current.order_by("-appointed_on").values("appointed_on")[:1]),
        last_changed=Greatest(
            "updated_at",
            Coalesce(_per_state(Commitment.objects.all(), Max("updated_at")), "updated_at"),
            Coalesce(_per_state(FocalPoint.objects.all(), Max("updated_at")), "updated_at"),
        ),
    )


def _attach_commitment_counts(states) -> None:
    """Each State's commitments by status, in total and overdue today: one grouped query for
    the whole page."""
    today = review_today()
    aggregates = {
        serializers._status_key(value): Count("pk", filter=Q(status=value))
        for value, _label in Status.choices
    }
    rows = (
        Commitment.objects.filter(state_id__in=[state.pk for state in states])
        .order_by()
        .values("state_id")
        .annotate(
            commitments_total=Count("pk"),
            overdue_reviews=Count("pk", filter=overdue_q(today)),
            **aggregates,
        )
    )
    found = {row.pop("state_id"): row for row in rows}
    empty = dict.fromkeys(["commitments_total", "overdue_reviews", *aggregates], 0)
    for state in states:
        for name, value in found.get(state.pk, empty).items():
            setattr(state, name, value)


@extend_schema_view(
    list=extend_schema(summary="List States and organisations", tags=["member-states"]),
    retrieve=extend_schema(summary="One State or organisation", tags=["member-states"]),
)
class MemberStateViewSet(PublicReadViewSet):
    """UN Member States, observer States and organisations: whether a focal point is appointed
    (and since when), their commitments by status and overdue reviews."""

    serializer_class = serializers.MemberStateSerializer
    filterset_class = filters.MemberStateFilter
    search_fields = [*translated_columns("name"), "official_name"]
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{3}"
    validator_fields = ("last_changed",)

    def get_queryset(self):
        return _member_states()

    def attach(self, rows):
        _attach_commitment_counts(rows)


@extend_schema_view(
    list=extend_schema(summary="List focal point appointments", tags=["focal-points"]),
    retrieve=extend_schema(summary="One focal point appointment", tags=["focal-points"]),
)
class FocalPointViewSet(PublicReadViewSet):
    """Focal point appointments, past and current: State, office, title, dates. The person's
    name and contact details are private and never published."""

    queryset = FocalPoint.objects.all()
    serializer_class = serializers.FocalPointSerializer
    filterset_class = filters.FocalPointFilter
    search_fields = ["office", "title"]
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="List resolutions", tags=["resolutions"]),
    retrieve=extend_schema(summary="One resolution", tags=["resolutions"]),
)
class ResolutionViewSet(PublicReadViewSet):
    """Outcomes of UN and regional bodies that refer to R2P."""

    queryset = Resolution.objects.all()
    serializer_class = serializers.ResolutionSerializer
    filterset_class = filters.ResolutionFilter
    search_fields = ["symbol", "title"]
    lookup_value_regex = "[0-9]+"

    def attach(self, rows):
        attach_keys(rows, "states", "state_codes")


@extend_schema_view(
    list=extend_schema(summary="List prevention steps", tags=["prevention-steps"]),
    retrieve=extend_schema(summary="One prevention step", tags=["prevention-steps"]),
)
class PreventionStepViewSet(PublicReadViewSet):
    """The catalogue of practical atrocity-prevention steps."""

    queryset = PreventionStep.objects.all()
    serializer_class = serializers.PreventionStepSerializer
    filterset_class = filters.PreventionStepFilter
    search_fields = ["code", "title"]
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def attach(self, rows):
        attach_keys(rows, "channels", "channel_codes")
        attach_keys(rows, "risk_factors", "risk_factor_numbers", key="number")


@extend_schema_view(
    list=extend_schema(summary="List risk factors", tags=["risk-factors"]),
    retrieve=extend_schema(summary="One risk factor", tags=["risk-factors"]),
)
class RiskFactorViewSet(PublicReadViewSet):
    """The risk factors of the UN Framework of Analysis for Atrocity Crimes (2014), each with
    the prevention steps that address it (empty where no source links them)."""

    queryset = RiskFactor.objects.all()
    serializer_class = serializers.RiskFactorSerializer
    filterset_class = filters.RiskFactorFilter
    search_fields = ["name", "summary"]
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"
    # A step's links to factors change with the step (``updated_at``) or in its admin.
    validator_tables = ((PreventionStep, "updated_at"),)

    def attach(self, rows):
        # The link is declared on the step: read its through table from this side.
        through = PreventionStep.risk_factors.through
        pairs = (
            through.objects.filter(riskfactor_id__in=[row.pk for row in rows])
            .order_by()
            .values_list("riskfactor_id", "preventionstep__code")
        )
        found: dict = {}
        for factor, code in pairs:
            found.setdefault(factor, []).append(code)
        for row in rows:
            row.step_codes = sorted(found.get(row.pk, ()))


@extend_schema_view(
    list=extend_schema(summary="List documented State practice", tags=["documented-practice"]),
    retrieve=extend_schema(
        summary="One example of documented practice", tags=["documented-practice"]
    ),
)
class DocumentedPracticeViewSet(PublicReadViewSet):
    """Sourced examples of what States have done (a focal point appointed, a meeting hosted, a
    national mechanism, a treaty ratified), each with its source, year and grade: the public
    record, distinct from focal points' reports."""

    queryset = DocumentedPractice.objects.annotate(step_code=F("step__code"))
    serializer_class = serializers.DocumentedPracticeSerializer
    filterset_class = filters.DocumentedPracticeFilter
    search_fields = ["summary", "source_name"]
    lookup_field = "key"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


@extend_schema_view(
    list=extend_schema(summary="List commitments", tags=["commitments"]),
    retrieve=extend_schema(summary="One commitment with its update timeline", tags=["commitments"]),
)
class CommitmentViewSet(PublicReadViewSet):
    """States' pledges to take prevention steps, with their derived status and review dates."""

    filterset_class = filters.CommitmentFilter
    search_fields = ["title", "description"]
    lookup_value_regex = "[0-9]+"
    validator_tables = ((MemberState, "updated_at"), (PreventionStep, "updated_at"))

    def get_queryset(self):
        queryset = Commitment.objects.select_related("state", "step").only(
            *COMMITMENT_COLUMNS, "state__regional_group", "step__code", "step__level"
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "updates",
                    queryset=_progress_updates().order_by("reported_on", "created_at", "id"),
                )
            )
        return queryset

    def attach(self, rows):
        attach_keys(rows, "channels", "channel_codes")
        attach_keys(rows, "resolutions", "resolution_ids")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.CommitmentDetailSerializer
        return serializers.CommitmentSerializer


@extend_schema_view(
    list=extend_schema(summary="List progress updates", tags=["progress-updates"]),
    retrieve=extend_schema(summary="One progress update", tags=["progress-updates"]),
)
class ProgressUpdateViewSet(PublicReadViewSet):
    """Published progress updates (append-only; a correction points to what it corrects)."""

    serializer_class = serializers.ProgressUpdateSerializer
    filterset_class = filters.ProgressUpdateFilter
    search_fields = ["narrative"]
    lookup_value_regex = "[0-9]+"
    # Updates are append-only and a correction changes the update it corrects (its
    # ``corrected_by``) wherever that one is: the latest publication anywhere is the validator
    # (an index lookup), and the count lets an index-only scan do the rest.
    validator_fields = ()
    validator_tables = ((ProgressUpdate, "created_at"),)

    def get_queryset(self):
        if self.action == "retrieve":
            return _progress_updates()
        return ProgressUpdate.objects.all()  # counted and paged without the annotations' join

    def decorate(self, queryset):
        return _progress_updates().filter(pk__in=queryset.values("pk"))


class CommitmentProgressUpdateCreate(generics.GenericAPIView):
    """Post a progress update (or a correction) on a commitment, as a focal point or delegate
    of its State, with a personal API token. Updates are never edited or deleted."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserThrottle, AnonThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    serializer_class = serializers.ProgressUpdateCreateSerializer

    @extend_schema(
        summary="Post a progress update",
        tags=["progress-updates"],
        request=serializers.ProgressUpdateCreateSerializer,
        responses={
            201: serializers.ProgressUpdateSerializer,
            400: OpenApiResponse(ErrorSerializer, "Field errors (the same as the web form's)."),
            401: OpenApiResponse(ErrorSerializer, "No token, or a wrong, expired or revoked one."),
            403: OpenApiResponse(
                ErrorSerializer,
                "The user may not act for this State, or the token is limited to another.",
            ),
            404: OpenApiResponse(ErrorSerializer, "No such commitment."),
        },
    )
    def post(self, request, pk: int):
        commitment = get_object_or_404(Commitment, pk=pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        update = progress_update_create(
            user=request.user,
            commitment=commitment,
            reported_on=data["reported_on"],
            status=data["status"],
            narrative=data["narrative"],
            language=data.get("language"),
            corrects=data.get("corrects"),
            links=[
                EvidenceLink(url=link["url"], title=link["title"]) for link in data.get("links", [])
            ],
            is_demo=commitment.is_demo,
            api_token=request.auth,
        )
        created = _progress_updates().get(pk=update.pk)
        body = serializers.ProgressUpdateSerializer(created, context={"request": request}).data
        location = request.build_absolute_uri(f"/api/{API_VERSION}/progress-updates/{update.pk}/")
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class IndexResourceSerializer(drf_serializers.Serializer):
    name = drf_serializers.CharField(help_text="The resource, e.g. `commitments`.")
    description = drf_serializers.CharField()
    url = drf_serializers.URLField(help_text="Its list (or, for `stats`, its figures).")
    docs = drf_serializers.URLField(help_text="Its section of the interactive documentation.")


class IndexSerializer(drf_serializers.Serializer):
    version = drf_serializers.CharField()
    schema = drf_serializers.URLField(help_text="The OpenAPI 3 schema (JSON).")
    docs = drf_serializers.URLField(help_text="The interactive documentation.")
    resources = IndexResourceSerializer(many=True)


# Each resource of the index: its URL name, the schema tag its operations carry, what it is.
INDEX_RESOURCES = [
    (
        "member-state-list",
        "member-states",
        gettext_lazy("UN Member States, observers and organisations"),
    ),
    (
        "focal-point-list",
        "focal-points",
        gettext_lazy("Focal point appointments (public fields only)"),
    ),
    ("resolution-list", "resolutions", gettext_lazy("Resolutions referring to R2P")),
    ("prevention-step-list", "prevention-steps", gettext_lazy("The catalogue of prevention steps")),
    ("risk-factor-list", "risk-factors", gettext_lazy("Risk factors of the Framework of Analysis")),
    ("commitment-list", "commitments", gettext_lazy("States' commitments and their status")),
    ("progress-update-list", "progress-updates", gettext_lazy("Published progress updates")),
    ("stats", "stats", gettext_lazy("The dashboard's and accountability figures")),
]


class IndexView(StrictQueryParametersMixin, generics.GenericAPIView):
    """What ``/api/v1/`` offers: each resource with its URL and documentation."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, UserThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = StrictContentNegotiation
    serializer_class = IndexSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="Index of the API's resources", tags=["index"])
    def get(self, request):
        absolute = request.build_absolute_uri
        docs = absolute(reverse("api:docs"))
        resources = [
            {
                "name": tag,
                "description": str(description),
                "url": absolute(reverse(f"api:v1:{name}")),
                "docs": f"{docs}#/{tag}",
            }
            for name, tag, description in INDEX_RESOURCES
            if _has_route(name)
        ]
        body = {
            "version": API_VERSION,
            "schema": absolute(reverse("api:schema")) + "?format=json",
            "docs": docs,
            "resources": resources,
        }
        return Response(self.get_serializer(body).data)


def _has_route(name: str) -> bool:
    try:
        reverse(f"api:v1:{name}")
    except NoReverseMatch:
        return False
    return True


@csrf_exempt  # answers every method with 404; a POST must not get the HTML CSRF page
def api_not_found(request, *args, **kwargs):
    """Any other URL under /api/: the API's own JSON 404, never the site's HTML page."""
    body = {"status": 404, "code": "not_found", "detail": _("No such API URL."), "errors": {}}
    return JsonResponse(body, status=404)


class StatsView(StrictQueryParametersMixin, generics.GenericAPIView):
    """The dashboard's figures: focal point coverage, commitments by status, level, step and
    regional group, overdue reviews, updates per quarter, and the accountability matrices (basis,
    scrutiny channel, source kind and level by status). Computed by ``tracker.stats`` — the
    same functions as the pages — never recomputed here."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, UserThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = StrictContentNegotiation
    serializer_class = serializers.StatsSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.StatsFilter
    pagination_class = None

    def get_queryset(self):
        return MemberState.objects.none()  # only for the filter's form and the schema

    @extend_schema(summary="Dashboard figures", tags=["stats"])
    def get(self, request):
        self.filter_queryset(self.get_queryset())  # validates ?regional_group= (400 if bad)
        group = request.query_params.get("regional_group") or None
        today = review_today()
        period = ReportingPeriodForm({"period": request.query_params.get("period", "")})
        start, end = period.bounds(today)
        version = stats.data_version()
        basis = "|".join([API_VERSION, request.get_full_path(), today.isoformat(), version["key"]])
        etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'
        last = version["last_changed"]
        last_ts = int(last.timestamp()) if last else None
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
        if not_modified is not None:
            return ConditionalReadMixin._stamp(not_modified, etag, last)
        key = version["key"]
        # The API's names and labels are the stable English ones, whatever Accept-Language says
        # (a member State's other names are in /member-states/ `names`).
        with translation.override("en"):
            body = self._body(group, today, (start, end), last, key)
        data = self.get_serializer(body).data
        return ConditionalReadMixin._stamp(Response(data), etag, last)

    @staticmethod
    def _body(group, today, period, last, key) -> dict:
        figures = stats.dashboard(today=today, regional_group=group)
        start, end = period
        reporting = stats.reporting(
            start=start, end=end, today=today, regional_group=group, version=key
        )
        return {
            "today": today,
            "last_changed": last,
            "regional_group": group,
            "coverage": figures["coverage"],
            "by_status": figures["by_status"],
            "by_level": figures["by_level"],
            "by_step": figures["by_step"],
            "by_regional_group": [
                {
                    "slug": row["slug"],
                    "label": row["label"],
                    "by_status": stats.commitments_by_status(
                        regional_group=row["slug"], version=key
                    ),
                }
                for row in figures["coverage"]["groups"]
            ],
            "overdue": figures["overdue"],
            "per_quarter": figures["per_quarter"],
            "accountability": stats.accountability(today=today, regional_group=group, version=key),
            "reporting_cycle": reporting["cycle"],
            "reporting_trend": reporting["trend"],
        }
