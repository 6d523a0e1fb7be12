"""Mirror pages: the cursor pages a partner follows to copy a whole list, read by one statement
compiled once (issue 16, D-16-20).

A mirroring client asks ``?cursor=…`` (and ``page_size``, up to 1,000) and nothing else, page
after page. Those pages skip what only other requests need — the FilterSet and its form, the
ORM's compilation of three queries, DRF's paginator, ``ReturnDict`` and ``JSONRenderer`` — and
cost two round trips: the data versions (ETag, Last-Modified, ``X-Ledger-Head``, checked before
any row is read, so a ``304`` costs that one lookup) and the page itself, an index range scan
after the cursor's key with everything the rows show joined or aggregated in (the list's
:class:`~tracker.api.views.RowSource`, the statement the general path reads pages with). The
rows go through the list's own serializer plan and are encoded by orjson; the JSON is the
general path's, byte for byte (tests/tracker/test_api_mirror.py).

Anything else — a filter, ``search``, ``ordering``, a page number, a token, another format, a
cursor this path does not read, a bad ``page_size`` — takes the general path, which also gives
every error its usual wording.
"""

import orjson
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from rest_framework.exceptions import ValidationError

from tracker.api.pagination import cursor_link, decode_cursor
from tracker.api.parameters import CURSOR, FORMAT, MAX_PAGE_SIZE, PAGE_SIZE
from tracker.db import prepared_cursor

MIRROR_PARAMETERS = frozenset({CURSOR, PAGE_SIZE, FORMAT})
# A key no row has, to find the start's place among the compiled statement's parameters.
_SENTINEL = -7_331_997_531
# DRF's JSONRenderer escapes the two line separators that end a line in JavaScript; so do we.
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class KeysetStatement:
    """A :class:`~tracker.api.views.RowSource`'s rows after a key, by key, at most N: compiled
    to SQL once per process (the first page a worker serves), then only executed."""

    def __init__(self, source):
        self.source = source
        self._compiled = None

    def _compile(self):
        queryset = self.source.queryset().filter(pk__gt=_SENTINEL).order_by("pk")
        sql, params = queryset.values_list(*self.source.columns).query.sql_with_params()
        params = list(params)
        return f"{sql} LIMIT %s", params, params.index(_SENTINEL)

    def rows(self, after, limit: int) -> list:
        if self._compiled is None:
            self._compiled = self._compile()
        sql, params, index = self._compiled
        params = [*params[:index], after, *params[index + 1 :], limit]
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            values = cursor.fetchall()
        rows = self.source.maker(values)
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
    order, queryset = (view.cursor_key,), view.get_queryset()
    try:
        size = _page_size(request) or view.paginator.page_size
        (after,) = decode_cursor(queryset, order, params[CURSOR])
    except (ValueError, ValidationError):
        return None
    if queryset.query.has_filters():
        # A list that hides rows must page through its own filter: this path reads every row.
        raise ImproperlyConfigured(f"{type(view).__name__}: mirror pages need an unfiltered list")

    etag, last, _version = view._validators()
    not_modified = view._conditional(etag, last)
    if not_modified is not None:
        return view._stamp_head(view._stamp(not_modified, etag, last))
    rows = statement.rows(after, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    serializer = view.get_serializer_class()(context=view.get_serializer_context())
    represent = serializer.to_representation
    next_link = None
    if more:
        next_link = cursor_link(request, order, [getattr(rows[-1], view.cursor_key)])
    body = orjson.dumps(
        {
            "count": None,
            "next": next_link,
            "previous": None,
            "results": [represent(row) for row in rows],
        }
    )
    for raw, escaped in _LINE_SEPARATORS:
        if raw in body:
            body = body.replace(raw, escaped)
    response = HttpResponse(body, content_type="application/json")
    if next_link:
        response["Link"] = f'<{next_link}>; rel="next"'
    return view._stamp_head(view._stamp(response, etag, last))
