"""Celery tasks of the review cycle. They take IDs and ISO dates (JSON), call one service
each, and are safe to run twice: the services record before sending and mark with
conditional updates (see commitments/reminder_services.py and docs/reminders.md)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from commitments import reminder_selectors, reminder_services
from commitments.selectors import review_today

logger = logging.getLogger(__name__)


def _day(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else review_today()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_daily_reminders(today: str | None = None) -> dict:
    """Beat runs this once a day: fail abandoned deliveries, record what is owed, then
    enqueue one delivery per recipient with pending reminders — after the rows are committed,
    so a worker never looks for rows that are not there yet."""
    day = _day(today)
    abandoned = reminder_services.reminders_fail_abandoned()
    with transaction.atomic():
        record = reminder_services.reminders_record(today=day)
        targets = reminder_selectors.reminder_targets_pending(day)
        for recipient_id, mailbox in targets:
            deliver_digest.delay_on_commit(recipient_id, day.isoformat(), mailbox)
    return {
        "today": day.isoformat(),
        "owed": record.owed,
        "newly_recorded": record.newly_recorded,
        "digests_enqueued": len(targets),
        "abandoned_failed": abandoned,
    }


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(reminder_services.DigestDeliveryError,),
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
        result = reminder_services.reminder_digest_deliver(
            recipient_id=recipient_id, mailbox=mailbox, day=_day(day), final_attempt=final
        )
    except reminder_services.DigestDeliveryError as exc:
        if exc.final:
            # Recorded as failed on the staff page; retrying again would not help.
            logger.error("reminder digest failed after the last try", extra={"error": str(exc)})
            return {"sent": 0, "skipped": 0, "failed": True}
        raise
    return {"sent": result.sent, "skipped": result.skipped, "failed": False}


@shared_task
def purge_evidence_drafts(hours: int = 24) -> int:
    """Delete documents of progress-update drafts abandoned for more than ``hours``."""
    from commitments.drafts import purge_evidence_drafts as purge

    return purge(older_than=datetime.timedelta(hours=hours))
