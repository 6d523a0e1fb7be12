"""The public read API (anonymous), the token-authenticated progress update, and stats.

Views are declarative: a queryset from the selectors with what each row needs joined or
prefetched (so the query count never depends on the page size), a serializer, a FilterSet.
Writes go through ``commitments.services.progress_update_create`` — the one implementation the
workspace form uses too.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter

import orjson
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
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
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from commitments import ledger, rules
from commitments.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    DocumentedPractice,
    Evidence,
    LedgerEntry,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RiskFactor,
    Status,
    UpdateTranslation,
    days_overdue_sql,
    overdue_q,
    target_missed_q,
)
from commitments.selectors import public_organisations, review_today
from commitments.services import EvidenceLink, assessment_submit, progress_update_create
from focalpoints.localisation import translated_columns
from focalpoints.models import FocalPoint, MemberState, Organisation
from focalpoints.tokens import token_allows_organisation
from tracker import stats
from tracker.api import filters, mirror, serializers, streaming
from tracker.api.authentication import ApiTokenAuthentication
from tracker.api.exceptions import ErrorSerializer
from tracker.api.pagination import ApiPagination, cached_count
from tracker.api.params import StrictQueryParametersMixin
from tracker.api.renderers import CSVRenderer, JSONLinesRenderer, StrictContentNegotiation
from tracker.api.streaming import wants_stream
from tracker.api.throttling import AnonThrottle, DownloadThrottle, SearchThrottle, UserThrottle
from tracker.forms import ReportingPeriodForm
from tracker.selectors import assessments_list
from tracker.versions import table_names, versions_and_ledger_head

API_VERSION = "v1"
# ``<sequence>:<sha256>`` of the latest ledger entry, on every list response.
LEDGER_HEAD_HEADER = "X-Ledger-Head"
# The request headers that can make a GET answer 304 or 412 (django.utils.cache).
CONDITIONAL_HEADERS = frozenset(
    {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"}
)
# A commitment's own columns (its State's and step's are read only as far as rows show them).
COMMITMENT_COLUMNS = [field.attname for field in Commitment._meta.concrete_fields]


def among(queryset, field: str, values):
    """``queryset`` limited to rows whose ``field`` is one of ``values``. On PostgreSQL the
    values travel as one array parameter (``= ANY(%s)``): a page's thousand keys as a thousand
    parameters cost more to send and prepare than the query costs to run (measured)."""
    values = list(values)
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": values})
    meta = queryset.model._meta
    column = meta.get_field(field).column if field != "pk" else meta.pk.column
    quote = connection.ops.quote_name
    where = f"{quote(meta.db_table)}.{quote(column)} = ANY(%s)"
    return queryset.extra(where=[where], params=[values])  # noqa: S610 - identifiers from meta


def _corrected_by() -> Subquery:
    """The update that corrects each update, if any: an index lookup per row."""
    return Subquery(
        ProgressUpdate.objects.filter(corrects=OuterRef("pk")).order_by().values("pk")[:1]
    )


def _update_keys() -> dict:
    """What corrects each update and its commitment's State code, read with the rows. The
    State by key, per row: an index lookup (a join made PostgreSQL hash the whole commitments
    table)."""
    state = Commitment.objects.filter(pk=OuterRef("commitment_id")).order_by().values("state_id")
    return {"corrected_by": _corrected_by(), "member_state_code": Subquery(state)}


def _progress_updates():
    """Updates with what corrects them and the translations of their narrative (one query per
    page); the rest: attach_updates."""
    return ProgressUpdate.objects.annotate(corrected_by=_corrected_by()).prefetch_related(
        "translations"
    )


class PlainRow:
    """A row read as plain values (``values_list``) instead of a model instance: the serializers'
    compiled plans read attributes, and a model instance (its descriptors, managers and state)
    cost most of a 1,000-row page (measured, D-16-11). Dotted attribute paths
    (``state.regional_group``) become nested plain rows. Subclasses borrow the model's own row
    methods (``is_overdue`` …), so each rule stays written once."""

    @property
    def pk(self):
        return self.id


def _picker(indexes: list[int]):
    """A function taking the values at ``indexes`` from a tuple, as a tuple."""
    if not indexes:
        return lambda values: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda values: (values[index],)
    return itemgetter(*indexes)


def row_maker(columns: dict[str, str], cls=PlainRow):
    """A function turning value tuples (the lookups of ``columns``, in order) into ``cls``
    instances: ``columns`` maps each lookup to read (``state__regional_group``) to the
    attribute path it fills (``state.regional_group``). The mirror pages keep their tuples
    instead (:func:`tracker.api.mirror.tuple_row_class`, D-16-25)."""
    paths = list(columns.values())
    flat = [(index, path) for index, path in enumerate(paths) if "." not in path]
    nested: dict[str, list[tuple[int, str]]] = {}
    for index, path in enumerate(paths):
        if "." in path:
            outer, inner = path.split(".", 1)
            nested.setdefault(outer, []).append((index, inner))
    new = object.__new__
    # Each group of attributes is one C-level pick of its values (a dict comprehension per row
    # cost 8 µs a commitment, measured).
    flat_names = [path for _index, path in flat]
    pick_flat = _picker([index for index, _path in flat])
    groups = [
        (outer, [name for _index, name in parts], _picker([index for index, _name in parts]))
        for outer, parts in nested.items()
    ]

    def make(value_rows) -> list:
        rows = []
        for values in value_rows:
            row = new(cls)
            if groups:
                attributes = dict(zip(flat_names, pick_flat(values)))  # noqa: B905
                for outer, names, pick in groups:
                    inner = new(PlainRow)
                    inner.__dict__ = dict(zip(names, pick(values)))  # noqa: B905
                    attributes[outer] = inner
            else:
                attributes = dict(zip(paths, values))  # noqa: B905 - same length by construction
            row.__dict__ = attributes
            rows.append(row)
        return rows

    return make


def plain_rows(queryset, columns: dict[str, str], cls=PlainRow) -> list:
    """``queryset``'s rows as ``cls`` instances (see :func:`row_maker`)."""
    return row_maker(columns, cls)(queryset.values_list(*columns))


class UpdateRow(PlainRow):
    is_correction = ProgressUpdate.is_correction


class CommitmentRow(PlainRow):
    _meta = Commitment._meta
    is_overdue = Commitment.is_overdue
    days_overdue = Commitment.days_overdue
    is_target_missed = Commitment.is_target_missed
    is_independently_assessed = Commitment.is_independently_assessed
    is_in_disagreement = Commitment.is_in_disagreement


# What a commitment row of a list shows: its own columns, its State's group, its step's code and
# level (the serializer's sources).
COMMITMENT_ROW = {
    **{name: name for name in COMMITMENT_COLUMNS},
    "state__regional_group": "state.regional_group",
    "step__code": "step.code",
    "step__level": "step.level",
}


@dataclass(frozen=True)
class RowSource:
    """How a list reads its rows as plain rows, declared once for both ways of paging: the
    rows with their annotations (``queryset``), the lookups to read and the attributes they
    fill (``columns``, see :func:`row_maker`), the row class, and what is finished on the rows
    once read (``finish``). The general path reads a page by its keys (:meth:`by_keys`); the
    mirror pages read the rows after a key with the same statement compiled once
    (tracker/api/mirror.py)."""

    queryset: Callable[[], QuerySet]
    columns: dict[str, str]
    cls: type = PlainRow
    finish: Callable[[list], None] = lambda rows: None
    # The list serializer's computed fields, by output name, as SQL of today: the SQL forms of
    # the very rules the serializer runs on a row, so a mirror page reads them as columns
    # (D-16-27). The general path computes them on the rows.
    derived: Callable[[datetime.date], dict[str, Expression]] = lambda today: {}

    @cached_property
    def maker(self):
        return row_maker(self.columns, self.cls)

    def by_keys(self, keys) -> list:
        queryset = among(self.queryset(), "pk", keys).order_by()
        rows = self.maker(queryset.values_list(*self.columns))
        self.finish(rows)
        return rows


class FileName(str):
    """A stored file's name read as plain text, with the ``.name`` a ``FieldFile`` has (what
    ``download_name`` reads)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return str(self)


class EvidenceRow(PlainRow):
    get_absolute_url = Evidence.get_absolute_url
    download_name = Evidence.download_name


def related_json(model, owner: str, names, order) -> RawSQL:
    """The ``names`` columns of ``model``'s rows that belong to each row through ``owner``, as
    the text of one JSON array (PostgreSQL), in the rows' own statement: a page's evidence or
    translations cost no round trip of their own. :func:`related_rows` reads it back."""
    meta = model._meta
    quote = connection.ops.quote_name
    owner_field = meta.get_field(owner)
    outer = owner_field.remote_field.model._meta
    pairs = ", ".join(f"'{name}', r.{quote(meta.get_field(name).column)}" for name in names)
    ordering = ", ".join(f"r.{quote(meta.get_field(name).column)}" for name in order)
    sql = (
        f"COALESCE((SELECT json_agg(json_build_object({pairs}) ORDER BY {ordering}) "  # noqa: S608
        f"FROM {quote(meta.db_table)} r WHERE r.{quote(owner_field.column)} = "
        f"{quote(outer.db_table)}.{quote(outer.pk.column)}), '[]')::text"
    )
    return RawSQL(sql, (), output_field=TextField())  # noqa: S611 - identifiers from meta


def related_rows(text: str, cls, times=(), files=()) -> list:
    """The rows of a :func:`related_json` array as ``cls`` instances, their ``times`` as
    datetimes again (PostgreSQL writes them as ISO 8601 with an offset) and their ``files``
    as :class:`FileName`."""
    rows = []
    for item in orjson.loads(text):
        for name in times:
            if item[name] is not None:
                item[name] = datetime.datetime.fromisoformat(item[name])
        for name in files:
            item[name] = FileName(item[name] or "")
        row = object.__new__(cls)
        row.__dict__ = item
        rows.append(row)
    return rows


_EVIDENCE_NAMES = [name for name in Evidence.PUBLIC_FIELDS if name != "update"]
_TRANSLATION_NAMES = [name for name in UpdateTranslation.PUBLIC_FIELDS if name != "update"]
_UPDATE_COLUMNS = [
    ProgressUpdate._meta.get_field(name).attname for name in ProgressUpdate.PUBLIC_FIELDS
]


def _update_queryset():
    return ProgressUpdate.objects.annotate(
        **_update_keys(),
        evidence_json=related_json(Evidence, "update", _EVIDENCE_NAMES, ("id",)),
        translations_json=related_json(
            UpdateTranslation, "update", _TRANSLATION_NAMES, ("language",)
        ),
    )


def _finish_updates(rows) -> None:
    for row in rows:
        row.evidence_rows = related_rows(
            row.evidence_json, EvidenceRow, times=("created_at",), files=("file",)
        )
        row.translations = related_rows(row.translations_json, PlainRow, times=("created_at",))


# A page of progress updates on PostgreSQL: their public columns, what corrects them, their
# State, evidence and translations — one statement.
UPDATE_SOURCE = RowSource(
    queryset=_update_queryset,
    columns={
        name: name
        for name in [
            *_UPDATE_COLUMNS,
            "corrected_by",
            "member_state_code",
            "evidence_json",
            "translations_json",
        ]
    },
    cls=UpdateRow,
    finish=_finish_updates,
)


def update_rows(keys) -> list[UpdateRow]:
    """A page of progress updates as plain rows with everything a list shows: one statement on
    PostgreSQL (:data:`UPDATE_SOURCE`); elsewhere the rows and their translations, and
    ``attach_updates`` adds their evidence."""
    if connection.vendor == "postgresql":
        return UPDATE_SOURCE.by_keys(keys)
    names = [*_UPDATE_COLUMNS, "corrected_by", "member_state_code"]
    queryset = among(ProgressUpdate.objects.annotate(**_update_keys()), "pk", keys)
    rows = plain_rows(queryset.order_by(), {name: name for name in names}, UpdateRow)
    found: dict = {}
    translations = among(UpdateTranslation.objects, "update", keys).order_by(
        "update_id", "language"
    )
    for item in plain_rows(
        translations, {name: name for name in ["update_id", *_TRANSLATION_NAMES]}
    ):
        found.setdefault(item.update_id, []).append(item)
    for row in rows:
        row.translations = found.get(row.id, [])
    return rows


def attach_updates(updates) -> None:
    """Set each update's ``member_state_code`` and ``evidence_rows``: one index lookup of their
    commitments and one of their evidence, as plain values and lists. Joining the commitments
    into the rows' query made PostgreSQL hash the whole table (a cost growing with the data),
    and ``prefetch_related`` builds a manager and a queryset per row (most of a 1,000-row
    page's time, measured)."""
    if not updates or hasattr(updates[0], "evidence_rows"):  # read with the rows (UPDATE_SOURCE)
        return
    if hasattr(updates[0], "member_state_code"):  # read with the rows (update_rows)
        states = {u.commitment_id: u.member_state_code for u in updates}
    else:
        states = dict(
            among(Commitment.objects, "pk", {u.commitment_id for u in updates})
            .order_by()
            .values_list("pk", "state_id")
        )
    found: dict = {}
    for evidence in among(Evidence.objects, "update", [u.pk for u in updates]).order_by(
        "update_id", "id"
    ):
        found.setdefault(evidence.update_id, []).append(evidence)
    for update in updates:
        update.member_state_code = states[update.commitment_id]
        update.evidence_rows = found.get(update.pk, [])


def keys_array(model, relation: str):
    """The keys of the rows related through the many-to-many ``relation``, as an array column
    of each row (PostgreSQL): read in the rows' own round trip instead of one more query."""
    from django.contrib.postgres.expressions import ArraySubquery

    field = model._meta.get_field(relation)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    related = field.remote_field.through.objects.filter(**{f"{source}_id": OuterRef("pk")})
    return ArraySubquery(related.order_by().values(f"{target}_id"))


def holds(condition: Q) -> Case:
    """``condition`` as a true/false column (never null, as the row form answers)."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _commitment_queryset():
    return Commitment.objects.annotate(
        channel_codes=keys_array(Commitment, "channels"),
        resolution_ids=keys_array(Commitment, "resolutions"),
    )


def _sort_keys(rows) -> None:
    for row in rows:  # sorted as attach_keys sorts them, whatever the database's collation
        row.channel_codes.sort()
        row.resolution_ids.sort()


# A page of commitments on PostgreSQL: their columns, State's group, step's code and level,
# channels and resolutions — one statement.
COMMITMENT_SOURCE = RowSource(
    queryset=_commitment_queryset,
    columns={
        **COMMITMENT_ROW,
        "channel_codes": "channel_codes",
        "resolution_ids": "resolution_ids",
    },
    cls=CommitmentRow,
    finish=_sort_keys,
    derived=lambda today: {
        "source_url": serializers.OptionalURLField.sql("source_url"),
        "statement_url": serializers.OptionalURLField.sql("statement_url"),
        "target_missed": holds(target_missed_q(today)),
        "is_overdue": holds(overdue_q(today)),
        "days_overdue": days_overdue_sql(today),
        "independently_assessed": holds(rules.independently_assessed_q()),
        "disagrees": holds(rules.disagreement_q()),
    },
)


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
        among(through.objects, source, [row.pk for row in rows])
        .order_by()
        .values_list(f"{source}_id", value)
    )
    found: dict = {}
    for owner, related in pairs:
        found.setdefault(owner, []).append(related)
    for row in rows:
        setattr(row, attr, sorted(found.get(row.pk, ())))


class ConditionalReadMixin:
    """ETag / Last-Modified validators read from the data versions that the database maintains
    on write (tracker/versions.py): one primary-key lookup of a few rows, *before* any row is
    read or rendered, whatever the size of the tables — a ``304`` costs that one query. The ETag
    covers the version of every table the rows show (``versioned``: the resource's own and the
    related rows that appear in it), the URL (filters, page, cursor, format) and today's date
    (overdue flags change at midnight)."""

    # The models (and many-to-many ``through`` models) whose rows a response shows or filters on.
    versioned: tuple[type, ...] = ()
    # Cursor pages follow the list's key, or the change time (``updated_since``) then the key.
    cursor_key: str | None = None
    cursor_changed: str | None = None
    # The big lists' cursor pages without filters, read by one compiled statement
    # (tracker/api/mirror.py).
    mirror_statement: mirror.KeysetStatement | None = None

    def _validators(self):
        # Without a condition to check, the answer is a full response, whose labels may come from
        # the worker's memory of the versions (D-16-29); a 304 is always decided by the database.
        key, last, self._ledger_head = versions_and_ledger_head(
            table_names(*self.versioned),
            remembered=CONDITIONAL_HEADERS.isdisjoint(self.request.META),
        )
        self.data_version = key
        basis = "|".join(
            [
                API_VERSION,
                self.request.get_full_path(),
                self.request.accepted_renderer.format,
                review_today().isoformat(),
                key,
            ]
        )
        etag = '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'
        return etag, last, key

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
        mirrored = mirror.page(self, request)
        if mirrored is not None:
            return mirrored
        queryset = self.filter_queryset(self.get_queryset())
        etag, last, version = self._validators()
        not_modified = self._conditional(etag, last)
        if not_modified is not None:
            return self._stamp_head(self._stamp(not_modified, etag, last))
        if wants_stream(request):
            return self._stamp_head(
                self._stamp(streaming.stream(self, queryset, self._name()), etag, last)
            )
        rows = self._page_rows(queryset, version)
        serializer = self.get_serializer(rows, many=True)
        response = self._stamp(self.get_paginated_response(serializer.data), etag, last)
        return self._stamp_head(response)

    def _stamp_head(self, response):
        """The data version every list answers with: the ledger head (docs/ledger.md)."""
        response[LEDGER_HEAD_HEADER] = str(self._ledger_head)
        return response

    def _name(self) -> str:
        return self.request.path.rstrip("/").rsplit("/", 1)[-1]

    def _page_rows(self, queryset, version: str):
        """A "deferred join": page through the keys alone (a keyset range for a cursor, an
        index scan for a page number), then read only that page's rows with their joins,
        annotations and prefetches. A plain OFFSET would join and compute every row it skips."""
        key = queryset.model._meta.pk.attname
        page_keys = self.paginator.page_keys(
            queryset, self.request, self, lambda keys: cached_count(keys, version)
        )
        rows = {getattr(row, key): row for row in self.read_rows(page_keys)}
        rows = [rows[k] for k in page_keys]
        self.attach(rows)
        return rows

    def read_rows(self, keys) -> list:
        """The rows with these keys, in any order (model instances unless a list reads plain
        rows)."""
        return list(among(self.rows_queryset(), "pk", keys).order_by())

    def rows_queryset(self):
        """The rows of a page, by key, with what only they need (joins and annotations the
        filters and keys do not use)."""
        return self.get_queryset()

    def attach(self, rows) -> None:
        """Add the keys of many-to-many relations to the page's rows (see attach_keys)."""

    def retrieve(self, request, *args, **kwargs):
        etag, last, _version = self._validators()
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
    throttle_classes = [AnonThrottle, UserThrottle, SearchThrottle, DownloadThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer, JSONLinesRenderer]
    content_negotiation_class = StrictContentNegotiation
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": review_today()}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and request.accepted_renderer.format == "jsonl":
            # An empty JSON Lines page is an empty body, from which DRF drops the Content-Type
            # header; a client must still be told what it received.
            response.render()
            if "Content-Type" not in response:
                response["Content-Type"] = f"{request.accepted_renderer.media_type}; charset=utf-8"
        return response


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


def _state_figures(today) -> dict:
    """Every State's figures: its commitments by status, in total and overdue today, the
    latest change of its commitments and focal points, and its current focal point. Two grouped
    queries over the whole tables: run once per data version and day (``state_figures``)."""
    aggregates = {
        serializers._status_key(value): Count("pk", filter=Q(status=value))
        for value, _label in Status.choices
    }
    figures: dict = {}
    for row in (
        Commitment.objects.order_by()
        .values("state_id")
        .annotate(
            commitments_total=Count("pk"),
            overdue_reviews=Count("pk", filter=overdue_q(today)),
            commitments_changed=Max("updated_at"),
            **aggregates,
        )
    ):
        figures[row.pop("state_id")] = row
    for row in (
        FocalPoint.objects.order_by()
        .values("state_id")
        .annotate(focal_points_changed=Max("updated_at"))
    ):
        figures.setdefault(row["state_id"], {})["focal_points_changed"] = row[
            "focal_points_changed"
        ]
    for code, appointed_on in FocalPoint.objects.current().values_list("state_id", "appointed_on"):
        figures.setdefault(code, {}).update(has_focal_point=True, focal_point_since=appointed_on)
    return figures


def state_figures(version: str, today) -> dict:
    """``_state_figures`` cached under the data version of the tables it reads and the day: a
    list or detail of States then reads no commitment and no focal point."""
    key = f"tracker:api:state-figures:{version}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = _state_figures(today)
        cache.set(key, figures, 24 * 3600)
    return figures


_STATE_DEFAULTS = {
    "commitments_total": 0,
    "overdue_reviews": 0,
    "has_focal_point": False,
    "focal_point_since": None,
    **{serializers._status_key(value): 0 for value, _label in Status.choices},
}


def _attach_state_figures(states, figures) -> None:
    for state in states:
        found = figures.get(state.pk, {})
        state.__dict__.update(_STATE_DEFAULTS)
        state.__dict__.update(found)
        changes = [found.get("commitments_changed"), found.get("focal_points_changed")]
        state.last_changed = max([state.updated_at, *(c for c in changes if c is not None)])


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
    versioned = (MemberState, FocalPoint, Commitment)
    cursor_key, cursor_changed = "code", "last_changed"

    def get_queryset(self):
        return _member_states()  # the annotations serve the filters and the ordering

    def rows_queryset(self):
        return MemberState.objects.all()  # the figures come from state_figures

    def attach(self, rows):
        _attach_state_figures(rows, state_figures(self.data_version, review_today()))


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
    versioned = (FocalPoint, MemberState)  # filtered by the State's regional group
    cursor_key, cursor_changed = "id", "updated_at"


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
    versioned = (Resolution, Resolution.states.through)
    cursor_key, cursor_changed = "id", "updated_at"

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
    versioned = (
        PreventionStep,
        PreventionStep.channels.through,
        PreventionStep.risk_factors.through,
        RiskFactor,  # shown by number
    )
    cursor_key, cursor_changed = "code", "updated_at"

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
    # Each factor lists the codes of the steps that address it.
    versioned = (RiskFactor, PreventionStep.risk_factors.through, PreventionStep)
    cursor_key, cursor_changed = "number", "updated_at"

    def attach(self, rows):
        # The link is declared on the step: read its through table from this side.
        through = PreventionStep.risk_factors.through
        pairs = (
            among(through.objects, "riskfactor", [row.pk for row in rows])
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
    # The step's code appears in each row.
    versioned = (DocumentedPractice, PreventionStep)
    cursor_key, cursor_changed = "id", "updated_at"


@extend_schema_view(
    list=extend_schema(summary="List commitments", tags=["commitments"]),
    retrieve=extend_schema(summary="One commitment with its update timeline", tags=["commitments"]),
)
class CommitmentViewSet(PublicReadViewSet):
    """States' pledges to take prevention steps, with their derived status and review dates."""

    filterset_class = filters.CommitmentFilter
    search_fields = ["title", "description"]
    lookup_value_regex = "[0-9]+"
    # The State's group and the step's code and level appear in each row; the detail adds the
    # timeline (updates, their evidence).
    versioned = (
        Commitment,
        MemberState,
        PreventionStep,
        Commitment.channels.through,
        Commitment.resolutions.through,
        ProgressUpdate,
        Evidence,  # the detail's timeline; the has_evidence filter
        UpdateTranslation,  # the detail's timeline
        PreventionStep.risk_factors.through,  # the risk_factor filter
        RiskFactor,
    )
    cursor_key, cursor_changed = "id", "updated_at"
    mirror_statement = mirror.KeysetStatement(COMMITMENT_SOURCE, serializers.CommitmentSerializer)

    def get_queryset(self):
        queryset = Commitment.objects.select_related("state", "step").only(
            *COMMITMENT_COLUMNS, "state__regional_group", "step__code", "step__level"
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "updates",
                    queryset=_progress_updates().order_by("reported_on", "created_at", "id"),
                ),
                Prefetch(
                    "assessments",
                    queryset=assessments_list().order_by("period_end", "published_at", "id"),
                ),
            )
        return queryset

    def read_rows(self, keys):
        """Plain rows; on PostgreSQL with their channels and resolutions as array columns (one
        round trip for the page instead of three: under load each costs more than its work)."""
        if connection.vendor == "postgresql":
            return COMMITMENT_SOURCE.by_keys(keys)
        return plain_rows(
            among(Commitment.objects, "pk", keys).order_by(), COMMITMENT_ROW, CommitmentRow
        )

    def attach(self, rows):
        if rows and not hasattr(rows[0], "channel_codes"):
            attach_keys(rows, "channels", "channel_codes")
            attach_keys(rows, "resolutions", "resolution_ids")
        if self.action == "retrieve":
            attach_updates([update for row in rows for update in row.updates.all()])
            attach_assessments(
                [assessment for row in rows for assessment in row.assessments.all()],
                commitments={row.pk: (row.state_id, row.status) for row in rows},
            )

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
    # A correction changes the update it corrects (its ``corrected_by``); the State code comes
    # from the commitment.
    versioned = (ProgressUpdate, Evidence, Commitment, UpdateTranslation)
    cursor_key, cursor_changed = "id", "created_at"
    mirror_statement = mirror.KeysetStatement(UPDATE_SOURCE, serializers.ProgressUpdateSerializer)

    def get_queryset(self):
        if self.action == "retrieve":
            return _progress_updates()
        return ProgressUpdate.objects.all()  # counted and paged without the annotations' join

    def rows_queryset(self):
        return _progress_updates()

    def read_rows(self, keys):
        return update_rows(keys)

    def attach(self, rows):
        attach_updates(rows)


@extend_schema_view(
    list=extend_schema(summary="List pledge revisions", tags=["commitment-revisions"]),
    retrieve=extend_schema(summary="One pledge revision", tags=["commitment-revisions"]),
)
class CommitmentRevisionViewSet(PublicReadViewSet):
    """Every change to a pledge's terms (target, interval, text, withdrawal...) with its
    reason and at whose request. Append-only."""

    serializer_class = serializers.CommitmentRevisionSerializer
    filterset_class = filters.CommitmentRevisionFilter
    search_fields = ["reason"]
    lookup_value_regex = "[0-9]+"
    # The State code comes from the commitment, and a commitment never changes State.
    versioned = (CommitmentRevision,)
    cursor_key, cursor_changed = "id", "created_at"

    def get_queryset(self):
        return CommitmentRevision.objects.select_related("commitment").only(
            *CommitmentRevision.PUBLIC_FIELDS, "commitment__state_id"
        )


@extend_schema_view(
    list=extend_schema(summary="List assessor organisations", tags=["organisations"]),
    retrieve=extend_schema(summary="One assessor organisation", tags=["organisations"]),
)
class OrganisationViewSet(PublicReadViewSet):
    """Civil-society organisations, national human rights institutions, academic centres,
    regional bodies and UN entities that assess commitments independently — approved by the
    secretariat (organisations waiting for approval are not listed). Never their contact
    address or members."""

    queryset = public_organisations()
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    search_fields = ["name", "description"]
    lookup_value_regex = "[0-9]+"
    versioned = (Organisation,)
    cursor_key, cursor_changed = "id", "updated_at"


def attach_assessments(rows, commitments: dict | None = None) -> None:
    """Set each assessment's ``member_state_code``, ``government_status``, ``disagrees``
    (:func:`commitments.rules.disagrees`), ``evidence_rows`` and ``reply_row``: one index lookup
    each of their commitments (unless given: ``{pk: (State code, status)}``), their evidence and
    their replies, for the whole page."""
    if not rows:
        return
    if commitments is None:
        commitments = {
            pk: (state, status)
            for pk, state, status in among(
                Commitment.objects, "pk", {row.commitment_id for row in rows}
            )
            .order_by()
            .values_list("pk", "state_id", "status")
        }
    keys = [row.pk for row in rows]
    found: dict = {}
    for evidence in among(AssessmentEvidence.objects, "assessment", keys).order_by(
        "assessment_id", "id"
    ):
        found.setdefault(evidence.assessment_id, []).append(evidence)
    replies = {
        reply.assessment_id: reply
        for reply in among(AssessmentReply.objects, "assessment", keys).order_by()
    }
    for row in rows:
        row.member_state_code, row.government_status = commitments[row.commitment_id]
        row.disagrees = rules.disagrees(row.government_status, row.status)
        row.evidence_rows = found.get(row.pk, [])
        row.reply_row = replies.get(row.pk)


@extend_schema_view(
    list=extend_schema(summary="List independent assessments", tags=["assessments"]),
    retrieve=extend_schema(summary="One independent assessment", tags=["assessments"]),
)
class AssessmentViewSet(PublicReadViewSet):
    """Published independent assessments of commitments, by approved organisations, beside
    the government's status: each with its evidence, the State's reply (embedded: at most one
    per assessment) and, if the secretariat disputes it, why. Append-only: a correction points
    to the assessment it corrects, and both stay published. Assessments waiting for moderation
    or rejected are never listed."""

    serializer_class = serializers.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    search_fields = ["narrative"]
    lookup_value_regex = "[0-9]+"
    # The commitment's State and current status appear in each row (and `disagrees` follows it).
    versioned = (Assessment, AssessmentEvidence, AssessmentReply, Commitment)
    cursor_key, cursor_changed = "id", "last_changed"

    def get_queryset(self):
        return assessments_list()

    def attach(self, rows):
        attach_assessments(rows)


AFTER_PARAMETER = OpenApiParameter(
    "after", {"type": "integer", "minimum": 0}, description="Only entries after this sequence."
)
LIMIT_PARAMETER = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": 5000},
    description="At most this many (default 1000).",
)


class LedgerReadView(generics.GenericAPIView):
    """Pages of the ledger keyed by sequence: ``?after=<sequence>`` (default 0) and
    ``?limit=`` (default 1000, at most 5000); the next page starts after the last sequence."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, UserThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = StrictContentNegotiation
    pagination_class = None
    DEFAULT_LIMIT, MAX_LIMIT = 1000, 5000

    def get_queryset(self):
        return LedgerEntry.objects.none()  # for the schema only

    def _bounds(self, request) -> tuple[int, int]:
        errors = {}
        values = {}
        for name, default, upper in (
            ("after", 0, None),
            ("limit", self.DEFAULT_LIMIT, self.MAX_LIMIT),
        ):
            # An empty parameter means "the default", as an empty filter does (D-12-1).
            raw = request.query_params.get(name) or str(default)
            if not raw.isascii() or not raw.isdigit() or (name == "limit" and int(raw) < 1):
                errors[name] = [_("A whole number is required.")]
            elif upper is not None and int(raw) > upper:
                errors[name] = [_("At most %(max)d.") % {"max": upper}]
            else:
                values[name] = int(raw)
        if errors:
            raise ValidationError(errors)
        return values["after"], values["limit"]

    def _next(self, request, rows, limit) -> str | None:
        if len(rows) < limit:
            return None
        query = request.GET.copy()
        query["after"] = str(rows[-1].sequence)
        return request.build_absolute_uri(request.path + "?" + query.urlencode())

    def _respond(self, body, head):
        response = Response(body)
        response[LEDGER_HEAD_HEADER] = str(head)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        return response


class LedgerView(LedgerReadView):
    """The whole hash chain, entry by entry (docs/ledger.md). Two queries per page."""

    @extend_schema(
        summary="Ledger entries, by sequence",
        tags=["ledger"],
        parameters=[
            AFTER_PARAMETER,
            LIMIT_PARAMETER,
            OpenApiParameter(
                "state",
                str,
                pattern="^[A-Za-z]{3}$",
                description="Only entries naming this State (ISO 3166 alpha-3 code).",
            ),
        ],
        responses=serializers.LedgerPageSerializer,
    )
    def get(self, request):
        after, limit = self._bounds(request)
        head = ledger.head()
        rows = LedgerEntry.objects.filter(sequence__gt=after).order_by("sequence")
        if state := request.query_params.get("state"):
            # A State code is three ASCII letters; anything else (a NUL byte included, which
            # PostgreSQL refuses in a query) is the client's error, not ours.
            if not (len(state) == 3 and state.isascii() and state.isalpha()):
                raise ValidationError({"state": [_("An ISO 3166 alpha-3 code, e.g. GHA.")]})
            rows = rows.filter(state=state.upper())
        rows = list(rows[:limit])
        body = {
            "head": head.as_dict(),
            "next": self._next(request, rows, limit),
            "results": [ledger.entry_as_dict(row) for row in rows],
        }
        return self._respond(body, head)


class LedgerHeadView(LedgerReadView):
    """The latest entry's sequence and hash: keep it, and check later that the chain you are
    given still starts with it (tools/verify_ledger.py --head)."""

    @extend_schema(
        summary="The ledger head", tags=["ledger"], responses=serializers.LedgerHeadSerializer
    )
    def get(self, request):
        head = ledger.head()
        return self._respond(head.as_dict(), head)


class DeletionsView(LedgerReadView):
    """Tombstones of deleted public rows, from the ledger: ``?since=<ISO date-time>`` and
    paged by sequence like the ledger, so that a mirror deletes what the source deleted."""

    @extend_schema(
        summary="Deletions (tombstones)",
        tags=["ledger"],
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Deleted at or after."),
            AFTER_PARAMETER,
            LIMIT_PARAMETER,
        ],
        responses=serializers.TombstoneSerializer(many=True),
    )
    def get(self, request):
        after, limit = self._bounds(request)
        rows = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DELETION, sequence__gt=after)
        if request.query_params.get("since"):
            try:
                since = parse_datetime(request.query_params["since"])
            except ValueError:  # well formed, but not a real time (a 25th hour)
                since = None
            if since is None:
                raise ValidationError({"since": [_("An ISO 8601 date-time is required.")]})
            if since.tzinfo is None:
                since = since.replace(tzinfo=datetime.UTC)
            # In UTC: PostgreSQL accepts offsets up to 15:59 only; Python up to 23:59.
            rows = rows.filter(recorded_at__gte=since.astimezone(datetime.UTC))
        rows = list(rows.order_by("sequence")[:limit])
        head = ledger.head()
        response = self._respond([_tombstone(row) for row in rows], head)
        if next_url := self._next(request, rows, limit):
            response["Link"] = f'<{next_url}>; rel="next"'
        return response


def _tombstone(entry: LedgerEntry) -> dict:
    deletion = ledger.entry_as_dict(entry)["record"]["deletion"]
    return {
        "sequence": entry.sequence,
        "deleted_at": deletion["deleted_at"],
        "member_state": entry.state,
        "subject_type": deletion["subject_type"],
        "subject_id": deletion["subject_id"],
        "reason": deletion["reason"],
        "also_deleted": deletion["also_deleted"],
    }


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
        attach_updates([created])
        body = serializers.ProgressUpdateSerializer(created, context={"request": request}).data
        location = request.build_absolute_uri(f"/api/{API_VERSION}/progress-updates/{update.pk}/")
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class CommitmentAssessmentCreate(generics.GenericAPIView):
    """Submit an independent assessment (or a correction of one) of a commitment, as a member
    of an assessor organisation, with that organisation's API token. It lands submitted for
    moderation: nothing is public until a moderator publishes it."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserThrottle, AnonThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    serializer_class = serializers.AssessmentCreateSerializer

    @extend_schema(
        summary="Submit an independent assessment",
        tags=["assessments"],
        request=serializers.AssessmentCreateSerializer,
        responses={
            201: serializers.SubmittedAssessmentSerializer,
            400: OpenApiResponse(ErrorSerializer, "Field errors (the same as the web form's)."),
            401: OpenApiResponse(ErrorSerializer, "No token, or a wrong, expired or revoked one."),
            403: OpenApiResponse(
                ErrorSerializer,
                "Not an organisation's token, another organisation's, or the organisation may "
                "not assess this State (a national organisation assesses its own country only).",
            ),
            404: OpenApiResponse(ErrorSerializer, "No such commitment."),
        },
    )
    def post(self, request, pk: int):
        commitment = get_object_or_404(Commitment, pk=pk)
        token = request.auth
        if token is None or token.organisation_id is None:
            raise PermissionDenied(
                _(
                    "Only an organisation's API token can submit assessments: issue one in your "
                    "workspace."
                )
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = Organisation.objects.get(pk=token.organisation_id)
        if data.get("organisation", organisation.pk) != organisation.pk or not (
            token_allows_organisation(token, organisation)
        ):
            raise PermissionDenied(
                _("This token submits the assessments of %(organisation)s only.")
                % {"organisation": organisation.name}
            )
        assessment = assessment_submit(
            user=request.user,
            organisation=organisation,
            commitment=commitment,
            status=data["status"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            narrative=data["narrative"],
            channel=data["channel"],
            language=data.get("language"),
            corrects=data.get("corrects"),
            links=[
                EvidenceLink(url=link["url"], title=link["title"]) for link in data.get("links", [])
            ],
        )
        body = serializers.SubmittedAssessmentSerializer(
            assessment, context={"request": request}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


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
    (
        "organisation-list",
        "organisations",
        gettext_lazy("Approved assessor organisations (public fields only)"),
    ),
    (
        "assessment-list",
        "assessments",
        gettext_lazy("Published independent assessments, with the States' replies"),
    ),
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
            "independent_scrutiny": figures["scrutiny"],
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
