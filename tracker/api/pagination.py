"""Page-number pagination with a bounded page size and RFC 8288 ``Link`` headers.

``?page=N&page_size=M`` (M at most ``MAX_PAGE_SIZE``; larger values are capped, not refused).
The JSON body carries ``count``, ``next``, ``previous`` and ``results``; every response, CSV
included, also carries ``Link: <...>; rel="next"`` and ``X-Total-Count`` so a CSV client can page
too.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class _KnownCountPaginator(Paginator):
    """A paginator that reuses a count the view already read (see ConditionalListMixin)."""

    def __init__(self, *args, known_count=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = known_count

    @cached_property
    def count(self):
        if self._known_count is not None:
            return self._known_count
        return super().count


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
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
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self._positive(request, self.page_query_param)
        known = getattr(request, "_api_known_count", None)
        self.django_paginator_class = lambda *args, **kwargs: _KnownCountPaginator(
            *args, known_count=known, **kwargs
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = Response(
            {
                "count": self.page.paginator.count,
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
        response["X-Total-Count"] = str(self.page.paginator.count)
        return response
