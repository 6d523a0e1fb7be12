"""A whole list as CSV or JSON Lines, streamed (``?format=csv`` / ``?format=jsonl`` without
``page``, ``cursor`` or ``page_size``).

Rows come from a server-side cursor (``QuerySet.iterator``) in chunks of ``CHUNK`` rows; each
chunk gets its many-to-many keys and prefetches like a page does, is serialised by the list's
own serializer (the one field list) and written out, then dropped: memory stays the same
whatever the size of the list. CSV columns and the spreadsheet formula guard are the CSV
renderer's.
"""

import json
from itertools import islice

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

from tracker.api.parameters import CURSOR, PAGE, PAGE_SIZE, STREAMED_FORMATS
from tracker.api.renderers import csv_line, csv_row, serializer_columns

CHUNK = 1000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}


def wants_stream(request) -> bool:
    """A whole list: a streamed format and no page asked for."""
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format not in STREAMED_FORMATS:
        return False
    return not any(name in request.query_params for name in (PAGE, CURSOR, PAGE_SIZE))


def _rows(view, queryset):
    order = queryset.query.order_by
    rows = view.rows_queryset()
    if queryset.query.where:  # the filtered keys, read with what the rows need
        rows = rows.filter(pk__in=queryset.values("pk"))
    rows = rows.order_by(*order)
    iterator = rows.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        view.attach(chunk)
        yield from chunk
        for row in chunk:
            # A prefetch cache refers back to its row (a cycle only the garbage collector
            # would free, late): drop it so the chunk is freed now.
            row.__dict__.pop("_prefetched_objects_cache", None)


def _csv(serializer, rows):
    columns = serializer_columns(serializer)
    yield csv_line(columns)
    for row in rows:
        yield csv_row(serializer.to_representation(row), columns)


def _jsonl(serializer, rows):
    for row in rows:
        data = serializer.to_representation(row)
        yield json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n"


def stream(view, queryset, name: str) -> StreamingHttpResponse:
    fmt = view.request.accepted_renderer.format
    serializer = view.get_serializer()
    rows = _rows(view, queryset)
    body = _csv(serializer, rows) if fmt == "csv" else _jsonl(serializer, rows)
    response = StreamingHttpResponse(body, content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
