"""A real Celery worker consuming from a real Redis broker runs the daily reminder job.

Runs when a Redis broker is named in the environment — CELERY_INTEGRATION_BROKER_URL (what CI
sets: the rest of the session keeps its eager, serverless Celery) or a ``redis://``
CELERY_BROKER_URL for a separate session — and fails instead of skipping when
REQUIRE_INTEGRATION=1, so CI can never pass without running it:

    CELERY_INTEGRATION_BROKER_URL=redis://127.0.0.1:6379/15 APP_ENV=test \\
        .venv/bin/pytest tests/integration -m integration
"""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from commitments.models import Reminder
from commitments.reminders import tasks
from commitments.selectors import review_today
from tests.commitments.reminder_helpers import commitment_due, recipients_of_outbox

pytestmark = pytest.mark.integration


def wait_for(condition, *, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_sends_each_digest_once(
    celery_on_redis, state_a, focal_point_a, delegate_a, secretariat
):
    today = review_today()
    tomorrow = today + datetime.timedelta(days=1)
    commitment_due(state_a, 0, today=today)  # due today
    commitment_due(state_a, -30, today=today)  # a month late: escalated
    commitment_due(state_a, 15, today=today)  # owes nothing until tomorrow (14 days before)

    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # The beat schedule's task, enqueued on Redis; it enqueues one delivery per person.
        tasks.send_daily_reminders.delay(today.isoformat())
        wait_for(
            lambda: (
                Reminder.objects.exists()
                and not Reminder.objects.exclude(outcome=Reminder.Outcome.SENT).exists()
            ),
            what="every reminder of the day to be sent",
        )
        wait_for(lambda: len(mail.outbox) == 3, what="three digests")
        # Run twice the same day (a manual rerun, or beat firing twice) and then tomorrow's
        # job: the queue is FIFO with one solo worker, so once tomorrow's digests are out,
        # the repeat has run too.
        tasks.send_daily_reminders.delay(today.isoformat())
        tasks.send_daily_reminders.delay(tomorrow.isoformat())
        wait_for(lambda: len(mail.outbox) == 5, what="tomorrow's digests")
        time.sleep(0.5)  # anything extra the repeat might (wrongly) have enqueued

    assert recipients_of_outbox() == [
        "delegate_a@example.org",
        "delegate_a@example.org",
        "fp_a@example.org",
        "fp_a@example.org",
        "secretariat@example.org",
    ]
    first_day = [m for m in mail.outbox if "2 commitments need a review" in m.subject]
    assert sorted(m.to[0] for m in first_day) == ["delegate_a@example.org", "fp_a@example.org"]
    rows = Reminder.objects.order_by("owed_on", "kind", "recipient_email")
    assert [(r.owed_on, r.kind, r.recipient_email, r.outcome, r.attempts) for r in rows] == [
        (today, "due", "delegate_a@example.org", "sent", 1),
        (today, "due", "fp_a@example.org", "sent", 1),
        (today, "escalation", "secretariat@example.org", "sent", 1),
        (today, "overdue", "delegate_a@example.org", "sent", 1),
        (today, "overdue", "fp_a@example.org", "sent", 1),
        (tomorrow, "upcoming", "delegate_a@example.org", "sent", 1),
        (tomorrow, "upcoming", "fp_a@example.org", "sent", 1),
    ]
