"""Celery tasks of the review cycle. They take IDs and ISO dates (JSON), call one service
each, and are safe to run twice: the services record before sending and mark with
conditional updates (see commitments/reminders/services.py and docs/reminders.md).

Task names are pinned to the names they had before the reminders became a package, so a
delivery retry already queued (an ETA message) still finds its task after an upgrade."""

import datetime
import logging

from celery import shared_task
from django.conf import settings

from commitments.delivery import DigestDeliveryError
from commitments.reminders import services
from commitments.selectors import review_today

logger = logging.getLogger(__name__)


def _day(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else review_today()


def enqueue_delivery(recipient_id: int | None, mailbox: str, day: datetime.date) -> None:
    """The Celery way to deliver a digest (``services.Deliver``): a task, enqueued after the
    current transaction commits, so a worker never looks for rows that are not there yet."""
    deliver_digest.delay_on_commit(recipient_id, day.isoformat(), mailbox)


@shared_task(
    name="commitments.tasks.send_daily_reminders", acks_late=True, reject_on_worker_lost=True
)
def send_daily_reminders(today: str | None = None) -> dict:
    """Beat runs this once a day: the daily job, with one delivery task per recipient."""
    day = _day(today)
    result = services.reminders_daily_job(today=day, deliver=enqueue_delivery)
    return {
        "today": day.isoformat(),
        "owed": result.record.owed,
        "newly_recorded": result.record.newly_recorded,
        "digests_enqueued": result.digests_dispatched,
        "abandoned_failed": result.abandoned_failed,
    }


@shared_task(
    name="commitments.tasks.deliver_digest",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DigestDeliveryError,),
    max_retries=max(settings.REMINDER_MAX_ATTEMPTS - 1, 0),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF_SECONDS,
    # A retry is an ETA message the worker holds unacknowledged until it is due: keep the
    # longest wait below Redis' visibility_timeout (4 h) so it is not handed out twice.
    retry_backoff_max=3600,
    retry_jitter=True,
)
def deliver_digest(self, recipient_id: int | None, day: str, mailbox: str = "") -> dict:
    """Send one person's (or the shared mailbox's) digest. A backend failure is retried with
    exponential backoff; on the last try the rows are recorded as failed."""
    final = self.request.retries >= self.max_retries
    try:
        result = services.reminder_digest_deliver(
            recipient_id=recipient_id, mailbox=mailbox, day=_day(day), final_attempt=final
        )
    except DigestDeliveryError as exc:
        if exc.final:
            # Recorded as failed on the staff page; retrying again would not help.
            logger.error("reminder digest failed after the last try", extra={"error": str(exc)})
            return {"sent": 0, "skipped": 0, "failed": True}
        raise
    return {"sent": result.sent, "skipped": result.skipped, "failed": False}
