"""Who is asking, as far as the network can tell, and how often: the one place the client's
address is read, and the one counter every limit uses.

Rate limits and log-in lock-outs key on this address, so it must not be something the client
can choose. ``X-Forwarded-For`` is read only as far as the deployment's own proxies wrote it
(``NUM_PROXIES``: 0 with no proxy in front, 1 behind the compose file's nginx): each proxy
appends the address it saw, so the entry ``NUM_PROXIES`` from the right is the one our first
proxy saw, and everything to its left is whatever the client chose to send.

Counts live in the shared cache (Redis in production) and each request is one atomic
increment, so a limit holds exactly however many web processes answer the same client.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_ip(request) -> str:
    """The client's address, trusting ``X-Forwarded-For`` only as far as ``NUM_PROXIES``.

    The same rule as DRF's ``SimpleRateThrottle.get_ident`` with ``NUM_PROXIES``, so API
    throttles, log-in lock-outs and the public download limits all count the same client.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/hour"`` -> (20, 3600). The unit's first letter counts (s, m, h, d)."""
    count, period = rate.split("/")
    return int(count), DURATIONS[period.strip()[0]]


def window_hit(key: str, limit: int, seconds: int, *, now: float | None = None):
    """Count one request for ``key`` in the current fixed window of ``seconds``; return
    ``(allowed, retry_after_seconds)``. One atomic INCR per request."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    counter = f"{key}:{window}"
    cache.add(counter, 0, seconds + 1)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr: this request opens a new count
        cache.add(counter, 1, seconds + 1)
        count = 1
    return count <= limit, max(1, math.ceil((window + 1) * seconds - now))


def rate_hit(key: str, rate: str | None) -> tuple[bool, int]:
    """:func:`window_hit` for a rate written ``"N/period"`` (None or empty: no limit)."""
    if not rate:
        return True, 0
    limit, seconds = parse_rate(rate)
    return window_hit(key, limit, seconds)


def too_many_requests(request, wait: float | None, *, status=429, template="429.html"):
    """A page that says when to come back (``Retry-After``, seconds)."""
    seconds = max(1, math.ceil(wait or 1))
    response = render(request, template, {"retry_after": seconds}, status=status)
    response["Retry-After"] = str(seconds)
    return response
