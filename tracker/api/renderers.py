"""CSV and JSON Lines output: the same rows and filters as JSON (``?format=csv`` or
``Accept: text/csv``; ``?format=jsonl`` or ``Accept: application/jsonl``). A list asked for
without a page is streamed whole (tracker/api/streaming.py) with these same columns.

Columns come from the serializer, so an empty page still has its header and the columns never
depend on the data. Nested objects are flattened into ``parent.child`` columns; lists of plain
values are joined with ``;``; lists of objects (e.g. a commitment's timeline) are written as
JSON in one cell. Cells that a spreadsheet would run as a formula are prefixed with ``'``.
"""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

from commitments.spreadsheets import spreadsheet_safe


def _columns(serializer, prefix="") -> list[str]:
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.Serializer):
            columns.extend(_columns(field, f"{prefix}{name}."))
        else:
            columns.append(f"{prefix}{name}")
    return columns


def _flatten(row: dict, prefix="", out=None) -> dict:
    out = {} if out is None else out
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{name}.", out)
        elif isinstance(value, list):
            if any(isinstance(item, dict | list) for item in value):
                out[name] = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
            else:
                out[name] = ";".join("" if item is None else str(item) for item in value)
        else:
            out[name] = value
    return out


def serializer_columns(serializer) -> list[str]:
    """The CSV columns of a serializer: its fields, nested ones as ``parent.child``."""
    return _columns(serializer)


def csv_line(cells) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def csv_row(record: dict, columns: list[str]) -> bytes:
    """One serialised record as a CSV line: flattened, every text cell guarded."""
    row = _flatten(record)
    return csv_line([_cell(row.get(column)) for column in columns])


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # Numbers stay numbers (a negative one is not a formula); text is guarded.
    return spreadsheet_safe(value) if isinstance(value, str) else str(value)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        if data is None:
            return b""
        if response is not None and response.status_code >= 400:
            rows = [_flatten(data)] if isinstance(data, dict) else []
            columns = list(rows[0]) if rows else []
        else:
            if isinstance(data, dict) and "results" in data:
                records = data["results"]
            elif isinstance(data, list):
                records = data
            else:
                records = [data]
            rows = [_flatten(record) for record in records]
            columns = []
            if view is not None and getattr(view, "get_serializer_class", None):
                try:
                    columns = _columns(view.get_serializer())
                except (AssertionError, AttributeError):  # a view without a serializer
                    columns = []
            if not columns and rows:
                columns = list(rows[0])
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        return buffer.getvalue().encode(self.charset)


class JSONLinesRenderer(BaseRenderer):
    """JSON Lines (https://jsonlines.org/): one JSON object per line — the page's rows, or the
    error object. A whole list is streamed instead (tracker/api/streaming.py)."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            records = data["results"]
        elif isinstance(data, list):
            records = data
        else:
            records = [data]
        return b"".join(
            json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n"
            for record in records
        )


class StrictContentNegotiation(DefaultContentNegotiation):
    """``?format=`` must name an offered format (``json``, ``csv`` or ``jsonl``); an empty or
    repeated one is refused with 406 instead of silently falling back to JSON.

    A request that names no format and accepts anything (no ``Accept``, or ``*/*`` as HTTP
    libraries and curl send) or exactly the first renderer's type gets the first renderer, as
    DRF's negotiation decides, without parsing media types (0.05 ms of an API request,
    measured; tests/tracker/test_api_negotiation.py compares both)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        param = self.settings.URL_FORMAT_OVERRIDE
        values = request.query_params.getlist(param) if param else []
        if not values and format_suffix is None:
            first = renderers[0]
            accept = request.META.get("HTTP_ACCEPT")
            if accept is None or accept == "*/*" or accept == first.media_type:
                return first, first.media_type
        offered = {renderer.format for renderer in renderers}
        if values and (len(values) > 1 or values[0] not in offered):
            raise NotAcceptable(
                _("Unknown format: use one of %(formats)s.")
                % {"formats": ", ".join(sorted(offered))}
            )
        return super().select_renderer(request, renderers, format_suffix)
