"""The public read API (anonymous), the token-authenticated progress update, and stats.

Views are declarative: a queryset from the selectors with what each row needs joined or
prefetched (so the query count never depends on the page size), a serializer, a FilterSet.
Writes go through ``commitments.services.progress_update_create`` — the one implementation the
workspace form uses too.
"""

import hashlib

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
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from commitments.models import (
    Commitment,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    Status,
)
from commitments.selectors import commitments_with_relations, overdue_q, review_today
from commitments.services import EvidenceLink, progress_update_create
from focalpoints.models import FocalPoint, MemberState
from tracker import stats
from tracker.api import filters, serializers
from tracker.api.authentication import ApiTokenAuthentication
from tracker.api.exceptions import ErrorSerializer
from tracker.api.pagination import ApiPagination
from tracker.api.renderers import CSVRenderer, StrictContentNegotiation
from tracker.api.throttling import AnonThrottle, UserThrottle

API_VERSION = "v1"


def _progress_updates():
    """Updates with their State's code, what corrects them, and their evidence."""
    corrected_by = ProgressUpdate.objects.filter(corrects=OuterRef("pk")).values("pk")[:1]
    return ProgressUpdate.objects.annotate(
        member_state_code=F("commitment__state_id"),
        corrected_by=Subquery(corrected_by),
    ).prefetch_related("evidence")


class ConditionalReadMixin:
    """ETag / Last-Modified validators computed by one aggregate query over the filtered rows
    (count, and the latest change of each table the rows show), *before* any row is read or
    rendered: a ``304`` costs that one query. The ETag also covers the URL (filters, page,
    format) and today's date (overdue flags change at midnight)."""

    validator_fields: tuple[str, ...] = ("updated_at",)

    def _validators(self, queryset):
        aggregates = {"n": Count("pk")}
        for index, field in enumerate(self.validator_fields):
            aggregates[f"t{index}"] = Max(field)
        values = queryset.order_by().aggregate(**aggregates)
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
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self._stamp(self.get_paginated_response(serializer.data), etag, last)

    def retrieve(self, request, *args, **kwargs):
        lookup = {self.lookup_field: kwargs[self.lookup_url_kwarg or self.lookup_field]}
        queryset = self.filter_queryset(self.get_queryset()).filter(**lookup)
        count, etag, last = self._validators(queryset)
        if not count:
            raise NotFound()
        not_modified = self._conditional(etag, last)
        if not_modified is not None:
            return self._stamp(not_modified, etag, last)
        response = super().retrieve(request, *args, **kwargs)
        return self._stamp(response, etag, last)


class PublicReadViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """Anonymous, read-only. A token is accepted (and gives the higher per-user rate)."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, UserThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = StrictContentNegotiation
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": review_today()}


def _status_counts():
    today = review_today()
    counts = {
        serializers._status_key(value): Count("commitments", filter=Q(commitments__status=value))
        for value, _label in Status.choices
    }
    overdue = (
        Commitment.objects.filter(overdue_q(today), state=OuterRef("pk"))
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values("n")
    )
    current = FocalPoint.objects.current().filter(state=OuterRef("pk"))
    focal_points_changed = (
        FocalPoint.objects.filter(state=OuterRef("pk"))
        .order_by()
        .values("state")
        .annotate(last=Max("updated_at"))
        .values("last")
    )
    return MemberState.objects.annotate(
        **counts,
        commitments_total=Count("commitments"),
        overdue_reviews=Coalesce(Subquery(overdue), 0),
        has_focal_point=Exists(current),
        focal_point_since=Subquery(current.order_by("-appointed_on").values("appointed_on")[:1]),
        commitments_changed=Max("commitments__updated_at"),
    ).annotate(
        last_changed=Greatest(
            "updated_at",
            Coalesce("commitments_changed", "updated_at"),
            Coalesce(Subquery(focal_points_changed), "updated_at"),
        )
    )


@extend_schema_view(
    list=extend_schema(summary="List States and organisations", tags=["member-states"]),
    retrieve=extend_schema(summary="One State or organisation", tags=["member-states"]),
)
class MemberStateViewSet(PublicReadViewSet):
    """UN Member States, observer States and organisations: whether a focal point is appointed
    (and since when), their commitments by status and overdue reviews."""

    serializer_class = serializers.MemberStateSerializer
    filterset_class = filters.MemberStateFilter
    search_fields = ["name", "official_name"]
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{3}"
    validator_fields = ("last_changed",)

    def get_queryset(self):
        return _status_counts()


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

    queryset = Resolution.objects.prefetch_related(
        Prefetch("states", queryset=MemberState.objects.only("code"))
    )
    serializer_class = serializers.ResolutionSerializer
    filterset_class = filters.ResolutionFilter
    search_fields = ["symbol", "title"]
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="List prevention steps", tags=["prevention-steps"]),
    retrieve=extend_schema(summary="One prevention step", tags=["prevention-steps"]),
)
class PreventionStepViewSet(PublicReadViewSet):
    """The catalogue of practical atrocity-prevention steps."""

    queryset = PreventionStep.objects.prefetch_related("channels", "risk_factors")
    serializer_class = serializers.PreventionStepSerializer
    filterset_class = filters.PreventionStepFilter
    search_fields = ["code", "title"]
    lookup_field = "code"
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
    validator_fields = ("updated_at", "state__updated_at", "step__updated_at")

    def get_queryset(self):
        queryset = commitments_with_relations(Commitment.objects.all()).prefetch_related(
            "channels", Prefetch("resolutions", queryset=Resolution.objects.only("pk"))
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "updates",
                    queryset=_progress_updates().order_by("reported_on", "created_at", "id"),
                )
            )
        return queryset

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
    validator_fields = ("created_at",)

    def get_queryset(self):
        return _progress_updates()


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
            401: OpenApiResponse(ErrorSerializer, "No token, or a wrong or revoked one."),
            403: OpenApiResponse(ErrorSerializer, "The user may not act for this State."),
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
            corrects=data.get("corrects"),
            links=[
                EvidenceLink(url=link["url"], title=link["title"]) for link in data.get("links", [])
            ],
            is_demo=commitment.is_demo,
        )
        created = _progress_updates().get(pk=update.pk)
        body = serializers.ProgressUpdateSerializer(created, context={"request": request}).data
        location = request.build_absolute_uri(f"/api/{API_VERSION}/progress-updates/{update.pk}/")
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


@csrf_exempt  # answers every method with 404; a POST must not get the HTML CSRF page
def api_not_found(request, *args, **kwargs):
    """Any other URL under /api/: the API's own JSON 404, never the site's HTML page."""
    body = {"status": 404, "code": "not_found", "detail": _("No such API URL."), "errors": {}}
    return JsonResponse(body, status=404)


class StatsView(generics.GenericAPIView):
    """The dashboard's figures: focal point coverage, commitments by status, level, step and
    regional group, overdue reviews, updates per quarter. Computed by ``tracker.stats`` — the
    same functions as the dashboard — never recomputed here."""

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
        version = stats.data_version()
        basis = "|".join([API_VERSION, request.get_full_path(), today.isoformat(), version["key"]])
        etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'
        last = version["last_changed"]
        last_ts = int(last.timestamp()) if last else None
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
        if not_modified is not None:
            return ConditionalReadMixin._stamp(not_modified, etag, last)
        key = version["key"]
        figures = stats.dashboard(today=today, regional_group=group)
        body = {
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
        }
        data = self.get_serializer(body).data
        return ConditionalReadMixin._stamp(Response(data), etag, last)
