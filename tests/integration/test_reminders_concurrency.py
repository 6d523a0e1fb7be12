"""Two processes racing on the same day's reminders, on real PostgreSQL row locks: threads
with their own database connections run the job and the deliveries at the same moment, and
still every person gets exactly one digest."""

import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction

from commitments.models import Reminder
from commitments.reminders.services import (
    reminder_digest_deliver,
    reminders_daily_job,
    reminders_record,
)
from commitments.selectors import review_today
from tests.commitments.reminder_helpers import commitment_due, recipients_of_outbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level locking races need PostgreSQL (set DATABASE_URL)")


class SlowBackend(LocmemBackend):
    """An SMTP server that takes a moment, so the racers overlap while one is sending."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


def race(target, count=2):
    """Run ``target`` in ``count`` threads released at the same instant; re-raise failures."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]


def test_two_deliveries_of_the_same_digest_at_once_send_it_once(settings, state_a, focal_point_a):
    settings.EMAIL_BACKEND = "tests.integration.test_reminders_concurrency.SlowBackend"
    today = review_today()
    commitment_due(state_a, 0, today=today)
    commitment_due(state_a, -7, today=today)
    reminders_record(today=today)
    race(lambda: reminder_digest_deliver(recipient_id=focal_point_a.pk, day=today), count=3)
    assert recipients_of_outbox() == ["fp_a@example.org"]
    assert set(Reminder.objects.values_list("outcome", flat=True)) == {"sent"}


def test_two_daily_jobs_at_once_send_each_digest_once(
    settings, state_a, state_b, focal_point_a, delegate_a, focal_point_b, secretariat
):
    settings.EMAIL_BACKEND = "tests.integration.test_reminders_concurrency.SlowBackend"
    today = review_today()
    commitment_due(state_a, 0, today=today)
    commitment_due(state_b, -30, today=today)
    race(lambda: reminders_daily_job(today=today))
    assert recipients_of_outbox() == [
        "delegate_a@example.org",
        "fp_a@example.org",
        "fp_b@example.org",
        "secretariat@example.org",
    ]
    assert Reminder.objects.count() == 4
    with transaction.atomic():
        assert not Reminder.objects.exclude(outcome="sent").exists()
    assert len(mail.outbox) == 4
