"""Mirror pages: the cursor pages a partner follows to copy a whole list, read by one statement
compiled once (issue 16, D-16-20).

A mirroring client asks ``?cursor=…`` (and ``page_size``, up to 1,000) and nothing else, page
after page. Those pages skip what only other requests need — the FilterSet and its form, the
ORM's compilation of three queries, DRF's paginator, ``ReturnDict`` and ``JSONRenderer`` — and
cost one round trip: the page itself, an index range scan after the cursor's key with
everything the rows show joined or aggregated in (the list's
:class:`~tracker.api.views.RowSource`, the statement the general path reads pages with). The
rows stay the statement's tuples; each row's output is picked from its tuple where a field is a
column as it is or computed by the statement (the source's derived fields, D-16-27), and the
list serializer's own plan computes the rest (:class:`RowEncoder`, D-16-25); orjson writes it.
The JSON is the general path's, byte for byte (tests/tracker/test_api_mirror.py). The data
versions (ETag, Last-Modified, ``X-Ledger-Head``) come from the worker's memory of them
(D-16-29), or from one lookup before any row is read: always for a conditional request, so a
``304`` costs that lookup alone.

Anything else — a filter, ``search``, ``ordering``, a page number, a token, another format, a
cursor this path does not read, a bad ``page_size`` — takes the general path, which also gives
every error its usual wording.
"""

import datetime
import re
from functools import cached_property
from operator import itemgetter
from types import SimpleNamespace

import orjson
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from rest_framework.exceptions import ValidationError

from tracker.api.pagination import cursor_link, decode_cursor
from tracker.api.parameters import CURSOR, DEFAULT_PAGE_SIZE, FORMAT, MAX_PAGE_SIZE, PAGE_SIZE
from tracker.db import prepared_cursor, sql_literal

MIRROR_PARAMETERS = frozenset({CURSOR, PAGE_SIZE, FORMAT})
# A key no row has and a day no rule is asked about, to find the start's and today's places
# among the compiled statement's parameters.
_SENTINEL = -7_331_997_531
_SENTINEL_DAY = datetime.date(1, 2, 3)
# A page of the default size and a page of the largest, each with the one row more that says
# whether a next page exists: their statements carry the limit as a literal. With a parameter
# for the limit PostgreSQL cannot cost a generic plan, so it plans every execution again (0.2–
# 0.3 ms of a page, measured); with a literal it adopts the generic plan after five (D-16-28).
# Only these two, so that a client walking through page sizes cannot make a worker prepare a
# thousand statements.
_LITERAL_LIMITS = frozenset({DEFAULT_PAGE_SIZE + 1, MAX_PAGE_SIZE + 1})
# DRF's JSONRenderer escapes the two line separators that end a line in JavaScript; so do we.
# Both start with the byte 0xE2 (as does every character from U+2000 to U+2FFF), which ``in``
# finds by memchr: a page without such a character is cleared in a microsecond, where looking
# for the two separators themselves took 0.12 ms of a 100 KB page (measured).
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))
_ANY_LINE_SEPARATOR = re.compile(b"\xe2\x80[\xa8\xa9]")


def tuple_row_class(cls, paths: list[str]) -> type:
    """``cls`` whose rows keep the statement's value tuple as it is and read each attribute
    (``paths``, the :class:`~tracker.api.views.RowSource`'s) from it by position: making a
    row is one slot assignment, where filling a ``__dict__`` per row cost a tenth of a
    commitments page (measured, docs/performance.md). The model's row rules (``is_overdue``
    …) that ``cls`` borrows read the same attributes."""
    attributes: dict = {"__slots__": ("values",)}
    nested: dict[str, list[tuple[str, int]]] = {}
    for index, path in enumerate(paths):
        if "." in path:
            outer, inner = path.split(".", 1)
            nested.setdefault(outer, []).append((inner, index))
        else:
            attributes[path] = property(lambda row, index=index: row.values[index])
    for outer, parts in nested.items():

        def related(row, parts=parts):
            return SimpleNamespace(**{inner: row.values[index] for inner, index in parts})

        attributes[outer] = property(related)
    return type(f"Tuple{cls.__name__}", (cls,), attributes)


# The alias of a source's derived field in the statement, and the row attribute it fills.
_DERIVED = "derived_"


class RowEncoder:
    """A list serializer's output for tuple rows, field for field and in the same order: the
    fields whose JSON is a column's value as it is (:meth:`column_paths
    <tracker.api.serializers.FastReadSerializer.column_paths>`) and the fields the statement
    computes (the source's ``derived``) are read from the tuple; only the others (nested,
    request URLs) run the serializer's own plan step on the row. When the statement's first
    values are the output's, in order (:attr:`KeysetStatement.columns` puts them there), a
    row's output is ``dict(zip(names, values))``, as in the bare handler; otherwise one
    C-level ``itemgetter`` picks them. orjson writes the dates and times (``OPT_UTC_Z``)
    exactly as the plan formats them."""

    def __init__(self, serializer_class, paths: list[str]):
        where = {path: index for index, path in enumerate(paths)}
        self.names, self.computed, positions = [], [], []
        for position, (name, path) in enumerate(serializer_class.column_paths()):
            self.names.append(name)
            index = where.get(_DERIVED + name, where.get(path))
            if index is None:
                index = len(paths) + len(self.computed)
                self.computed.append(position)
            positions.append(index)
        derived = {path.removeprefix(_DERIVED) for path in paths if path.startswith(_DERIVED)}
        if unknown := derived - set(self.names):
            raise ImproperlyConfigured(f"{serializer_class.__name__} has no fields {unknown}")
        if len(positions) < 2:  # itemgetter of one position gives the value, not a tuple
            raise ImproperlyConfigured(f"{serializer_class.__name__}: too few fields to mirror")
        in_order = positions == list(range(len(positions)))
        self.pick = None if in_order else itemgetter(*positions)

    def encoder(self, serializer):
        """A function from a tuple row to its output, with ``serializer``'s bound steps."""
        names, pick = self.names, self.pick
        if pick is None:  # zip stops at the last field: later values serve the steps and rows
            return lambda row: dict(zip(names, row.values))  # noqa: B905
        if not self.computed:
            return lambda row: dict(zip(names, pick(row.values)))  # noqa: B905
        plan = serializer.plan()  # bound only when a field needs its step
        steps = [plan[position][1] for position in self.computed]

        def encode(row):
            return dict(zip(names, pick(row.values + tuple([step(row) for step in steps]))))  # noqa: B905

        return encode


_PLACEHOLDER = re.compile(r"(%[s%])")
_END = object()


def _with_constants(sql: str, params) -> str:
    """``sql`` with its parameters written in: the start key as ``%(after)s``, the day as
    ``%(today)s`` (once, however many rules ask), and every other value — the constants the
    rules compare with (statuses, true, false, '') — as a literal. Binding 28 values per page
    cost 0.04–0.07 ms of a commitments page (measured, D-16-31); these come from the code,
    never from a request. A day other than the sentinel's would be a rule about a fixed date,
    which the statement cannot tell from today: refused."""
    pieces, values = _PLACEHOLDER.split(sql), iter(params)
    for index, piece in enumerate(pieces):
        if piece != "%s":
            continue
        value = next(values)
        if type(value) is int and value == _SENTINEL:
            pieces[index] = "%(after)s"
        elif type(value) is datetime.date:
            if value != _SENTINEL_DAY:
                raise ImproperlyConfigured(f"a day other than today in the statement: {value}")
            pieces[index] = "%(today)s"
        else:
            pieces[index] = sql_literal(value).replace("%", "%%")
    if next(values, _END) is not _END or "%(after)s" not in pieces:
        raise ImproperlyConfigured("the statement's parameters are not where they were expected")
    return "".join(pieces)


class KeysetStatement:
    """A :class:`~tracker.api.views.RowSource`'s rows after a key, by key, at most N, with the
    source's derived fields as of a day, for the list serializer ``serializer_class``:
    compiled to SQL once per process (the first page a worker serves), then only executed.
    The rows are tuple rows (:func:`tuple_row_class`), finished as the source finishes its
    rows."""

    def __init__(self, source, serializer_class):
        self.source = source
        self.serializer_class = serializer_class
        self._compiled = None
        self._encoders: dict[type, RowEncoder] = {}
        self._list_querysets: dict = {}

    def list_queryset(self, view):
        """The list's queryset, which a cursor's values are checked against: built and checked
        once per ``get_queryset`` (a mirror page is anonymous, so it cannot depend on who asks;
        building it cost 0.04 ms of a page, measured)."""
        get_queryset = type(view).get_queryset
        queryset = self._list_querysets.get(get_queryset)
        if queryset is None:
            queryset = view.get_queryset()
            if queryset.query.has_filters():
                # A list that hides rows must page through its own filter: this path reads
                # every row.
                raise ImproperlyConfigured(
                    f"{type(view).__name__}: mirror pages need an unfiltered list"
                )
            self._list_querysets[get_queryset] = queryset
        return queryset

    @cached_property
    def derived(self) -> dict:
        return self.source.derived(_SENTINEL_DAY)

    @cached_property
    def columns(self) -> dict[str, str]:
        """The statement's columns (lookup → the row attribute it fills): first those of the
        serializer's fields, in the output's order, so a row's first values are its output
        (:class:`RowEncoder`); then the rest of the source's, which the plan's steps, the
        cursor and ``finish`` read."""
        by_path = {path: lookup for lookup, path in self.source.columns.items()}
        columns: dict[str, str] = {}
        for name, path in self.serializer_class.column_paths():
            if name in self.derived:
                columns[_DERIVED + name] = _DERIVED + name
            elif path in by_path:
                columns.setdefault(by_path[path], path)
        for lookup, path in self.source.columns.items():
            columns.setdefault(lookup, path)
        for name in self.derived:  # a derived field the serializer lacks: RowEncoder refuses
            columns.setdefault(_DERIVED + name, _DERIVED + name)
        return columns

    @cached_property
    def row_class(self) -> type:
        return tuple_row_class(self.source.cls, list(self.columns.values()))

    def encoder(self, serializer):
        """The function writing a row as ``serializer`` would (see :class:`RowEncoder`)."""
        encoder = self._encoders.get(type(serializer))
        if encoder is None:
            encoder = self._encoders[type(serializer)] = RowEncoder(
                type(serializer), list(self.columns.values())
            )
        return encoder.encoder(serializer)

    def outputs(self, serializer, rows) -> list[dict]:
        """Each row as ``serializer`` writes it."""
        encode = self.encoder(serializer)
        return [encode(row) for row in rows]

    def _compile(self):
        aliases = {_DERIVED + name: expression for name, expression in self.derived.items()}
        queryset = self.source.queryset().annotate(**aliases)
        queryset = queryset.filter(pk__gt=_SENTINEL).order_by("pk")
        sql, params = queryset.values_list(*self.columns).query.sql_with_params()
        sql = _with_constants(sql, params)
        # The usual limits are written into the statement (D-16-28); any other is a parameter.
        statements = {limit: f"{sql} LIMIT {limit:d}" for limit in _LITERAL_LIMITS}
        return statements, f"{sql} LIMIT %(limit)s"

    def fetch(self, after, limit: int, today: datetime.date) -> list[tuple]:
        """The value tuples of at most ``limit`` rows after the key ``after``, with the derived
        fields as of ``today``."""
        if self._compiled is None:
            self._compiled = self._compile()
        statements, any_limit = self._compiled
        params = {"after": after, "today": today, "limit": limit}
        with prepared_cursor() as cursor:
            cursor.execute(statements.get(limit, any_limit), params)
            return cursor.fetchall()

    def make_rows(self, values: list[tuple]) -> list:
        new, cls = object.__new__, self.row_class
        rows = []
        for row_values in values:
            row = new(cls)
            row.values = row_values
            rows.append(row)
        return rows

    def rows(self, after, limit: int, today: datetime.date) -> list:
        rows = self.make_rows(self.fetch(after, limit, today))
        self.source.finish(rows)
        return rows


def _page_size(request) -> int | None:
    values = request.query_params.getlist(PAGE_SIZE)
    if not values:
        return None
    if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
        raise ValueError(values)
    size = int(values[0])
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(size)
    return size


def page(view, request):
    """The mirror page ``request`` asks ``view`` for, or None when the general path must
    answer it."""
    statement = getattr(view, "mirror_statement", None)
    if statement is None or connection.vendor != "postgresql":
        return None
    params = request.query_params
    if (
        request.accepted_renderer.format != "json"
        or not params.keys() <= MIRROR_PARAMETERS
        or len(params.getlist(CURSOR)) != 1
        or "HTTP_AUTHORIZATION" in request.META  # a token is checked by the general path
    ):
        return None
    order, queryset = (view.cursor_key,), statement.list_queryset(view)
    try:
        size = _page_size(request) or view.paginator.page_size
        (after,) = decode_cursor(queryset, order, params[CURSOR])
    except (ValueError, ValidationError):
        return None

    etag, last, _version = view._validators()
    not_modified = view._conditional(etag, last)
    if not_modified is not None:
        return view._stamp_head(view._stamp(not_modified, etag, last))
    serializer = view.get_serializer_class()(context=view.get_serializer_context())
    rows = statement.rows(after, size + 1, serializer.context["today"])
    more = len(rows) > size
    rows = rows[:size]
    next_link = None
    if more:
        next_link = cursor_link(request, order, [getattr(rows[-1], view.cursor_key)])
    body = orjson.dumps(
        {
            "count": None,
            "next": next_link,
            "previous": None,
            "results": statement.outputs(serializer, rows),
        },
        option=orjson.OPT_UTC_Z,
    )
    if b"\xe2" in body and _ANY_LINE_SEPARATOR.search(body):
        for raw, escaped in _LINE_SEPARATORS:
            body = body.replace(raw, escaped)
    response = HttpResponse(body, content_type="application/json")
    if next_link:
        response["Link"] = f'<{next_link}>; rel="next"'
    return view._stamp_head(view._stamp(response, etag, last))
