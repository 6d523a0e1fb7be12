"""Pages of a list: numbered pages for people, keyset cursors for machines.

- ``?page=N&page_size=M`` (M at most ``MAX_PAGE_SIZE``): the JSON body carries ``count``,
  ``next``, ``previous`` and ``results``. The count is read once per data version and filter
  set (cached), never per request (D-16-2).
- ``?cursor=…`` (what every ``next`` link uses when the order allows it): the rows after the
  last one of the previous page, found by an index range scan on the order's key — page 10,000
  costs what page 1 costs. Cursor pages have ``count: null`` and no ``previous``.

A cursor is possible on the list's key alone, or on its change time then key (``updated_at``,
``created_at`` for updates, ``last_changed`` for States), ascending: what mirroring needs. Every
response, CSV included, carries ``Link: <…>; rel="next"`` (and ``X-Total-Count`` on numbered
pages).
"""

import base64
import binascii
import datetime
import hashlib
import json
from urllib import parse

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from tracker.api.parameters import CURSOR, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE, PAGE_SIZE

COUNT_CACHE_SECONDS = 24 * 3600


class _CountOncePaginator(Paginator):
    """A paginator whose count comes from a callable (the cached count of the view)."""

    def __init__(self, *args, count_fn=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._count_fn = count_fn

    @cached_property
    def count(self):
        if self._count_fn is not None:
            return self._count_fn(self.object_list)
        return super().count


def cached_count(queryset, version_key: str) -> int:
    """The number of rows of ``queryset``, counted once per data version: the key is the SQL of
    the query (filters included) and the version of every table the list shows."""
    sql, params = queryset.order_by().query.sql_with_params()
    basis = f"{version_key}|{sql}|{params!r}"
    key = "tracker:api:count:" + hashlib.sha256(basis.encode()).hexdigest()[:32]
    count = cache.get(key)
    if count is None:
        count = queryset.order_by().count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def _order_fields(queryset) -> tuple[str, ...]:
    pk = queryset.model._meta.pk.attname
    return tuple(pk if name == "pk" else name for name in queryset.query.order_by)


def _output_field(queryset, name: str):
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.get_field(name)


def _encode(order, values) -> str:
    plain = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]
    raw = json.dumps({"o": list(order), "v": plain}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid():
    return ValidationError(
        {CURSOR: [_("Not a cursor of this list and order: follow the next link you were given.")]}
    )


def decode_cursor(queryset, order, value: str) -> list:
    """The values a cursor of ``order`` holds, checked against the fields of ``queryset``."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        data = json.loads(raw)
        if data["o"] != list(order) or len(data["v"]) != len(order):
            raise _invalid()
        values = []
        for name, item in zip(order, data["v"], strict=True):
            field = _output_field(queryset, name)
            if isinstance(field, models.DateTimeField):
                item = datetime.datetime.fromisoformat(item)
                if item.tzinfo is None:
                    raise _invalid()
            values.append(field.to_python(item))
        return values
    except ValidationError:
        raise
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as error:
        raise _invalid() from error
    except Exception as error:  # a field's to_python raises django's ValidationError
        raise _invalid() from error


def cursor_link(request, order, values) -> str:
    """The URL of the rows after ``values`` in ``order``: the request's own, its page number
    replaced by the cursor."""
    # DRF's remove_query_param then replace_query_param, in one parse and one encoding.
    scheme, netloc, path, query, fragment = parse.urlsplit(request.build_absolute_uri())
    params = parse.parse_qs(query, keep_blank_values=True)
    params.pop(PAGE, None)
    params[CURSOR] = [_encode(order, values)]
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path, query, fragment))


def _after(order, values) -> Q:
    """Rows after ``values`` in ``order`` (ascending): a range on the first field, less the
    rows that tie on it and are not after the key (an index range scan, not an OR)."""
    if len(order) == 1:
        return Q(**{f"{order[0]}__gt": values[0]})
    first, key = order
    return Q(**{f"{first}__gte": values[0]}) & ~Q(**{first: values[0], f"{key}__lte": values[1]})


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_query_param = PAGE
    page_size_query_param = PAGE_SIZE
    cursor_query_param = CURSOR
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = (
        f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
    )

    def _positive(self, request, name: str, upper: int | None = None) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise ValidationError({name: [_("Give this parameter once.")]})
        value = values[0]
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ValidationError({name: [_("A positive whole number is required.")]})
        if upper is not None and int(value) > upper:
            raise ValidationError({name: [_("At most %(max)d.") % {"max": upper}]})
        return int(value)

    def get_page_size(self, request):
        return self._positive(request, self.page_size_query_param, self.max_page_size) or (
            self.page_size
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where a page starts: the value in a `next` link (opaque). "
                "Pages by key, or by change time then key; not with `page`.",
                "schema": {"type": "string", "minLength": 1, "pattern": "^[-A-Za-z0-9_]+$"},
            }
        )
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"].update(
            nullable=True,
            description="Rows matching the filters (null on cursor pages).",
        )
        response["required"] = ["count", "next", "previous", "results"]
        return response

    # --- Choosing the kind of page ---------------------------------------------------------------

    def cursor_order(self, queryset, view) -> tuple[str, ...] | None:
        """The order, if a cursor can follow it: the key, or the view's change time then key."""
        order = _order_fields(queryset)
        key = getattr(view, "cursor_key", queryset.model._meta.pk.attname)
        changed = getattr(view, "cursor_changed", None)
        if order == (key,) or (changed and order == (changed, key)):
            return order
        return None

    def page_keys(self, queryset, request, view, count_fn) -> list:
        """The primary keys of the requested page, in order (a keyset or an OFFSET scan over
        the keys alone)."""
        self.request = request
        self.display_page_controls = False
        self.order = self.cursor_order(queryset, view)
        pk = queryset.model._meta.pk.attname
        fields = [pk, *(name for name in self.order or () if name != pk)]
        self.fields = fields
        cursors = request.query_params.getlist(self.cursor_query_param)
        if cursors:
            return self._cursor_page(queryset, request, cursors, fields)
        self._positive(request, self.page_query_param)
        self.cursor_mode = False
        self.django_paginator_class = lambda *args, **kwargs: _CountOncePaginator(
            *args, count_fn=count_fn, **kwargs
        )
        rows = super().paginate_queryset(queryset.values_list(*fields), request, view)
        self.last = rows[-1] if rows else None
        return [row[0] for row in rows]

    def _cursor_page(self, queryset, request, cursors, fields) -> list:
        if len(cursors) > 1:
            raise ValidationError({self.cursor_query_param: [_("Give this parameter once.")]})
        if self.page_query_param in request.query_params:
            raise ValidationError(
                {self.cursor_query_param: [_("Give either a cursor or a page number.")]}
            )
        if self.order is None:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _("Cursor pages follow the key or the change time: change the ordering.")
                    ]
                }
            )
        self.cursor_mode = True
        self.page_size_now = self.get_page_size(request)
        values = decode_cursor(queryset, self.order, cursors[0])
        rows = list(
            queryset.filter(_after(self.order, values)).values_list(*fields)[
                : self.page_size_now + 1
            ]
        )
        self.has_more = len(rows) > self.page_size_now
        rows = rows[: self.page_size_now]
        self.last = rows[-1] if rows else None
        return [row[0] for row in rows]

    # --- Links ------------------------------------------------------------------------------------

    def _cursor_link(self):
        by_name = dict(zip(self.fields, self.last, strict=True))
        return cursor_link(self.request, self.order, [by_name[name] for name in self.order])

    def get_next_link(self):
        if self.cursor_mode:
            return self._cursor_link() if self.has_more else None
        if not self.page.has_next():
            return None
        if self.order is not None:
            return self._cursor_link()
        return super().get_next_link()

    def get_previous_link(self):
        return None if self.cursor_mode else super().get_previous_link()

    def get_paginated_response(self, data):
        count = None if self.cursor_mode else self.page.paginator.count
        response = Response(
            {
                "count": count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
        links = []
        if response.data["next"]:
            links.append(f'<{response.data["next"]}>; rel="next"')
        if response.data["previous"]:
            links.append(f'<{response.data["previous"]}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        if count is not None:
            response["X-Total-Count"] = str(count)
        return response
