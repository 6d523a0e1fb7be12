"""Log-in lock-out per client address, across usernames.

django-axes locks a (username, address) pair after ``AXES_FAILURE_LIMIT`` failures; on its own
that lets one address try five passwords on every account. Here every failed log-in from an
address — on the workspace's log-in page, the admin's, anywhere ``authenticate()`` is called —
is also counted per address (``LOGIN_FAILURES_PER_IP``, default 20); past it the address is
refused, even with a correct password, until ``AXES_COOLOFF_HOURS`` pass without a failure.

The count lives in the shared cache (Redis in production: every web process sees it) and is
refreshed on each failure. The address is :func:`focalpoints.clients.client_ip`.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from focalpoints.clients import client_ip

logger = logging.getLogger(__name__)


def _key(address: str) -> str:
    return "login-failures:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def cooloff_seconds() -> int:
    return int(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME).total_seconds())


def record_login_failure(sender=None, credentials=None, request=None, **kwargs) -> None:
    """Receiver of Django's ``user_login_failed`` (connected in FocalPointsConfig.ready)."""
    if request is None:
        return
    key = _key(client_ip(request))
    cache.add(key, 0, cooloff_seconds())
    failures = cache.incr(key)
    cache.touch(key, cooloff_seconds())  # locked until a whole cool-off passes quietly
    if failures == settings.LOGIN_FAILURES_PER_IP:
        logger.warning(
            "log-in locked for an address after failures across accounts",
            extra={"failures": failures, "address_hash": key.rsplit(":", 1)[-1]},
        )


def address_locked(request) -> bool:
    if not settings.AXES_ENABLED:
        return False
    return (cache.get(_key(client_ip(request))) or 0) >= settings.LOGIN_FAILURES_PER_IP


class AddressLockoutBackend:
    """First in AUTHENTICATION_BACKENDS: a locked address authenticates nobody. (No
    ``get_user``: it never logs anyone in, so sessions never name it.)"""

    def authenticate(self, request, **credentials):
        if request is not None and address_locked(request):
            raise PermissionDenied("too many failed log-ins from this address")
        return None
