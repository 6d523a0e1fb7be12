"""Per-client limits on the public pages' expensive requests: a full CSV of a list, the
open-data zip and text search. Each is keyed by the client's address as our proxies saw it
(:func:`focalpoints.clients.client_ip`) and counted in the shared cache (Redis in production),
so the limit holds across every web process; past it the page answers ``429`` with
``Retry-After``. Rates: ``PUBLIC_THROTTLE_DOWNLOADS``, ``PUBLIC_THROTTLE_SEARCH`` (README).
"""

from collections.abc import Callable
from functools import wraps

from focalpoints.clients import too_many_requests
from tracker.api.throttling import ClientThrottle

DOWNLOADS = "downloads"
SEARCH = "search"


def wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def searches(request) -> bool:
    return bool(request.GET.get("q", "").strip())


def limited(*rules: tuple[str, Callable]):
    """Apply the ``(scope, applies_to_request)`` rules to a view: the first rule that applies
    and is exhausted answers 429 instead of the view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            for scope, applies in rules:
                if applies(request):
                    throttle = ClientThrottle(scope)
                    if not throttle.allow_request(request, None):
                        return too_many_requests(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


csv_limited = limited((DOWNLOADS, wants_csv))
csv_and_search_limited = limited((DOWNLOADS, wants_csv), (SEARCH, searches))
download_limited = limited((DOWNLOADS, lambda request: True))
