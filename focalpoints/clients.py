"""Who is asking, as far as the network can tell: the one place the client's address is read.

Rate limits and log-in lock-outs key on this address, so it must not be something the client
can choose. ``X-Forwarded-For`` is read only as far as the deployment's own proxies wrote it
(``NUM_PROXIES``: 0 with no proxy in front, 1 behind the compose file's nginx): each proxy
appends the address it saw, so the entry ``NUM_PROXIES`` from the right is the one our first
proxy saw, and everything to its left is whatever the client chose to send.
"""

from django.conf import settings


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
