"""Follow digests sent exactly once under real conditions: two jobs (and three deliveries)
racing on real PostgreSQL row locks, and a real Celery worker on a real Redis broker running
the beat task twice."""

import time

import pytest
from django.core import mail
from django.db import transaction

from commitments.follows import services, tasks
from commitments.follows.models import FollowNotice
from tests.commitments.follow_helpers import follower, job_day, outbox_to
from tests.factories import ProgressUpdateFactory
from tests.integration.test_celery_redis import wait_for
from tests.integration.test_reminders_concurrency import (  # noqa: F401 (fixture)
    _postgresql_only,
    race,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def told(settings, state_a, commitment_a, commitment_b):
    """Three followers (one by State, one by commitment, one by both) and two updates."""
    settings.FOLLOW_WEEKLY_WEEKDAY = job_day().weekday()
    follower("state@example.org", state=state_a)
    follower("one@example.org", commitment=commitment_a)
    follower("both@example.org", state=state_a, commitment=[commitment_a, commitment_b])
    ProgressUpdateFactory(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_b)


def test_two_follow_jobs_at_once_send_each_digest_once(settings, told):
    settings.EMAIL_BACKEND = "tests.integration.test_reminders_concurrency.SlowBackend"
    race(lambda: services.follows_daily_job(today=job_day()))
    assert outbox_to() == ["both@example.org", "one@example.org", "state@example.org"]
    with transaction.atomic():
        assert FollowNotice.objects.count() == 4  # state 1, one 1, both 2 (deduplicated)
        assert set(FollowNotice.objects.values_list("outcome", flat=True)) == {"sent"}


def test_three_deliveries_of_one_digest_at_once_send_it_once(settings, told):
    settings.EMAIL_BACKEND = "tests.integration.test_reminders_concurrency.SlowBackend"
    services.follow_notices_record(today=job_day())
    person_id = FollowNotice.objects.filter(follower__email="both@example.org")[0].follower_id
    race(lambda: services.follow_digest_deliver(follower_id=person_id, day=job_day()), count=3)
    assert outbox_to() == ["both@example.org"]


def test_real_worker_on_redis_sends_each_follow_digest_once(celery_on_redis, told):
    from celery.contrib.testing.worker import start_worker

    day = job_day()
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        tasks.send_follow_digests.delay(day.isoformat())
        wait_for(lambda: len(mail.outbox) == 3, what="three digests")
        # Beat firing twice, or an operator rerunning it: wait until the broker holds no
        # message, waiting or unacknowledged (being run), then for anything late.
        tasks.send_follow_digests.delay(day.isoformat())
        tasks.send_follow_digests.delay(day.isoformat())
        time.sleep(0.5)
        wait_for(_broker_idle, what="the reruns and anything they enqueued", timeout=30)
        time.sleep(1.0)
    assert outbox_to() == ["both@example.org", "one@example.org", "state@example.org"]
    assert FollowNotice.objects.filter(outcome="sent").count() == 4
    assert not FollowNotice.objects.exclude(outcome="sent").exists()


def _broker_idle() -> bool:
    from config.celery import app

    with app.connection_for_write() as conn:
        redis = conn.default_channel.client
        return redis.llen("celery") == 0 and redis.hlen("unacked") == 0
