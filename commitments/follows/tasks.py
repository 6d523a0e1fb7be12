"""Celery tasks of the follow digests. They take IDs and ISO dates, call one service each and
are safe to run twice: notices are recorded before sending and claimed with a conditional
update (commitments/delivery.py, docs/follows.md)."""

import datetime
import logging

from celery import shared_task
from django.conf import settings

from commitments.delivery import DigestDeliveryError
from commitments.follows import services
from commitments.selectors import review_today

logger = logging.getLogger(__name__)


def _day(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else review_today()


def enqueue_delivery(follower_id: int, day: datetime.date) -> None:
    """The Celery way to deliver a digest (``services.Deliver``): a task enqueued after the
    current transaction commits, so a worker never looks for rows that are not there yet."""
    deliver_follow_digest.delay_on_commit(follower_id, day.isoformat())


@shared_task(
    name="commitments.follows.send_follow_digests", acks_late=True, reject_on_worker_lost=True
)
def send_follow_digests(today: str | None = None) -> dict:
    """Beat runs this once a day: record what followers are owed, then one delivery task per
    follower whose digest is due (daily ones every day, weekly ones on the weekly day)."""
    day = _day(today)
    result = services.follows_daily_job(today=day, deliver=enqueue_delivery)
    return {
        "today": day.isoformat(),
        "owed": result.record.owed,
        "newly_recorded": result.record.newly_recorded,
        "digests_enqueued": result.digests_dispatched,
        "abandoned_failed": result.abandoned_failed,
    }


@shared_task(
    name="commitments.follows.deliver_follow_digest",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DigestDeliveryError,),
    max_retries=max(settings.REMINDER_MAX_ATTEMPTS - 1, 0),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=3600,  # below Redis' visibility_timeout, as for reminders
    retry_jitter=True,
)
def deliver_follow_digest(self, follower_id: int, day: str) -> dict:
    """Send one follower's digest; a backend failure is retried with exponential backoff, and
    on the last try the notices are recorded as failed."""
    final = self.request.retries >= self.max_retries
    try:
        result = services.follow_digest_deliver(
            follower_id=follower_id, day=_day(day), final_attempt=final
        )
    except DigestDeliveryError as exc:
        if exc.final:
            logger.error("follow digest failed after the last try", extra={"error": str(exc)})
            return {"sent": 0, "skipped": 0, "failed": True}
        raise
    return {"sent": result.sent, "skipped": result.skipped, "failed": False}


@shared_task(name="commitments.follows.send_follow_confirmation", acks_late=True)
def send_follow_confirmation(follower_id: int) -> bool:
    """The double opt-in e-mail. Not retried: on failure the daily stamp is cleared so the
    person can simply ask again."""
    return services.follow_confirmation_send(follower_id)
