"""Fixtures for the integration tests: the project's Celery app pointed at a real Redis."""

import os

import pytest
from kombu import pools as kombu_pools

from config.celery import app


def _redis_broker_url() -> str | None:
    url = os.environ.get("CELERY_INTEGRATION_BROKER_URL") or os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith(("redis://", "rediss://")) else None


@pytest.fixture
def celery_on_redis():
    """Point the project's Celery app at Redis with eager execution off, for this test only.

    Tests before this one ran tasks eagerly, which never opens a broker connection, so the
    app has no pooled connection to the old broker yet; the previous settings are restored
    (and the pools dropped) afterwards.
    """
    url = _redis_broker_url()
    if url is None:
        message = "no Redis broker: set CELERY_INTEGRATION_BROKER_URL=redis://127.0.0.1:6379/15"
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=url,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=False,
    )
    _drop_broker_pools()
    app.control.purge()  # nothing left over from an earlier, interrupted run
    try:
        yield app
    finally:
        app.control.purge()
        _drop_broker_pools()
        app.conf.update(previous)


def _drop_broker_pools():
    """Forget pooled broker connections and producers (kombu keeps them in a process-wide
    registry keyed by broker URL) so the next use connects afresh."""
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
