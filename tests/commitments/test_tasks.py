"""The Celery tasks (eager in tests; a real worker in tests/integration): the daily task
enqueues one delivery per recipient after commit, and delivery retries SMTP errors with
exponential backoff before recording a failure."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from commitments.models import Reminder
from commitments.reminders import tasks
from config.celery import app
from tests.commitments.reminder_helpers import (
    FlakySMTPBackend,
    commitment_due,
    recipients_of_outbox,
)

Outcome = Reminder.Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 6, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = "tests.commitments.reminder_helpers.FlakySMTPBackend"
    FlakySMTPBackend.attempted = 0
    return FlakySMTPBackend


@pytest.fixture
def eager_retries():
    """Eager Celery re-runs a retried task at once (no countdown) only when it does not
    propagate the Retry: run these tests the way a worker would."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_daily_task_enqueues_deliveries_only_after_its_transaction_commits(
    state_a, focal_point_a, delegate_a, django_capture_on_commit_callbacks
):
    commitment_due(state_a, 0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        summary = tasks.send_daily_reminders.delay("2026-06-30").get()
    # Recorded, but nothing sent until the commit hands one delivery per person to Celery.
    assert summary["digests_enqueued"] == 2
    assert len(callbacks) == 2
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert recipients_of_outbox() == ["delegate_a@example.org", "fp_a@example.org"]


def test_daily_task_twice_the_same_day_sends_one_email_per_recipient(
    state_a, focal_point_a, django_capture_on_commit_callbacks
):
    commitment_due(state_a, -8)
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.send_daily_reminders.delay()  # today from the (frozen) clock
    assert recipients_of_outbox() == ["fp_a@example.org"]
    assert Reminder.objects.get().outcome == Outcome.SENT


def test_smtp_error_is_retried_and_the_digest_sent_once(
    state_a, focal_point_a, flaky_smtp, eager_retries
):
    flaky_smtp.failures = 2
    commitment_due(state_a, 0)
    tasks.send_daily_reminders.delay("2026-06-30")  # its on_commit never fires in a test tx
    row = Reminder.objects.get()
    tasks.deliver_digest.delay(focal_point_a.pk, "2026-06-30")
    row.refresh_from_db()
    assert flaky_smtp.attempted == 3  # two refusals, then accepted
    assert (row.outcome, row.attempts, row.error) == (Outcome.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_smtp_error_on_every_try_is_recorded_as_failed_after_the_last(
    state_a, focal_point_a, flaky_smtp, eager_retries
):
    flaky_smtp.failures = 99
    commitment_due(state_a, 0)
    tasks.send_daily_reminders.delay("2026-06-30")
    result = tasks.deliver_digest.delay(focal_point_a.pk, "2026-06-30")
    row = Reminder.objects.get()
    assert result.get() == {"sent": 0, "skipped": 0, "failed": True}
    assert flaky_smtp.attempted == settings.REMINDER_MAX_ATTEMPTS
    assert (row.outcome, row.attempts) == (Outcome.FAILED, settings.REMINDER_MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in row.error
    assert mail.outbox == []


def test_delivery_retries_use_exponential_backoff_from_settings():
    task = tasks.deliver_digest
    assert task.retry_backoff == settings.REMINDER_RETRY_BACKOFF_SECONDS
    assert task.retry_jitter is True
    assert task.max_retries == settings.REMINDER_MAX_ATTEMPTS - 1
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


def test_celery_settings_make_a_redelivered_task_safe():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    beat = app.conf.beat_schedule["send-daily-reminders"]
    assert beat["task"] == "commitments.tasks.send_daily_reminders"
    assert tasks.send_daily_reminders.name == beat["task"]


def test_beat_purges_abandoned_draft_documents_daily(settings, tmp_path):
    import datetime
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from commitments.drafts import DRAFTS_STORAGE_PREFIX
    from commitments.tasks import purge_evidence_drafts

    assert settings.CELERY_BEAT_SCHEDULE["purge-evidence-drafts"]["task"] == (
        "commitments.tasks.purge_evidence_drafts"
    )
    settings.MEDIA_ROOT = tmp_path
    fresh = default_storage.save(f"{DRAFTS_STORAGE_PREFIX}/abc/fresh.pdf", ContentFile(b"%PDF"))
    stale = default_storage.save(f"{DRAFTS_STORAGE_PREFIX}/def/stale.pdf", ContentFile(b"%PDF"))
    for name, age in ((fresh, datetime.timedelta(hours=1)), (stale, datetime.timedelta(hours=25))):
        moment = (timezone.now() - age).timestamp()
        os.utime(default_storage.path(name), (moment, moment))

    assert purge_evidence_drafts.delay().get() == 1
    assert default_storage.exists(fresh)
    assert not default_storage.exists(stale)
