"""Query-parameter discipline: a parameter the endpoint does not know is a 400 that names it
and lists the ones it does know. A partner's typo (``?stauts=complete``) must never be read as
"no filter" and answered with every row."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


class UnknownParameters(ValidationError):
    """A 400 whose summary (``detail`` in the error body) names the unknown parameters."""

    def __init__(self, unknown: list[str], valid: list[str]):
        listed = ", ".join(valid)
        self.summary = _("Unknown query parameter: %(unknown)s. Valid parameters: %(valid)s.") % {
            "unknown": ", ".join(unknown),
            "valid": listed,
        }
        message = _("Unknown parameter. Valid parameters: %(valid)s.") % {"valid": listed}
        super().__init__({name: [message] for name in unknown})


def valid_parameters(view) -> list[str]:
    """Every query parameter ``view`` reads: its FilterSet's filters, ``search`` when it
    searches, the paginator's, and ``format``."""
    names = {api_settings.URL_FORMAT_OVERRIDE}
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        names.update(filterset_class.base_filters)
    backends = getattr(view, "filter_backends", ())
    if getattr(view, "search_fields", None) and any(
        getattr(backend, "search_param", None) for backend in backends
    ):
        names.add(api_settings.SEARCH_PARAM)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        names.add(paginator.page_query_param)
        if paginator.page_size_query_param:
            names.add(paginator.page_size_query_param)
        if getattr(paginator, "cursor_query_param", None):
            names.add(paginator.cursor_query_param)
    return sorted(names)


def check_query_parameters(view, request) -> None:
    """Raise :class:`UnknownParameters` if ``request`` has a query parameter ``view`` does
    not read."""
    valid = valid_parameters(view)
    unknown = sorted(set(request.query_params) - set(valid))
    if unknown:
        raise UnknownParameters(unknown, valid)


class StrictQueryParametersMixin:
    """Check the query string of every GET before anything is read."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            check_query_parameters(self, request)
