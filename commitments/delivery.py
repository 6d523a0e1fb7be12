"""Claim-then-send: the one mechanism behind every e-mail recorded as rows before it is sent
(review reminders, follow digests). A row table using it has the fields ``outcome`` (with an
``Outcome`` choices class: pending, sending, sent, failed, skipped), ``attempts``, ``error``,
``claim``, ``claimed_at`` and ``sent_at``, and a unique constraint on what one row means, so
recording twice inserts nothing (``bulk_create(ignore_conflicts=True)``).

1. :func:`claim` moves pending rows to ``sending`` in one conditional ``UPDATE``, stamped with
   a fresh claim id: of two concurrent deliveries only one gets each row.
2. :func:`send_claimed` sends the message, then marks exactly the claimed rows ``sent``; on a
   backend error it releases them (``pending``, error recorded) for a retry, or marks them
   ``failed`` on the last try, and raises :class:`DigestDeliveryError`.
3. :func:`fail_abandoned` marks rows left ``sending`` by a process that died mid-send as
   ``failed`` after a timeout: their e-mail may have left, so they are not sent again.

:func:`hand_over` is the daily job's loop over the digests owed (each kind's job records its
rows first), giving a :class:`RunResult`.

Why each step is safe at each crash point: docs/reminders.md ("Exactly-once effect").
"""

import datetime
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage
from django.db.models import F, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

ERROR_MAX_CHARS = 2000


class DigestDeliveryError(Exception):
    """Sending a digest failed; its rows were released (or failed, on the last try)."""

    def __init__(self, message: str, final: bool = False):
        super().__init__(message, final)  # both in args: picklable for any result backend
        self.message = message
        self.final = final

    def __str__(self) -> str:
        return self.message


def claim(queryset: QuerySet) -> tuple[QuerySet, int]:
    """Claim the pending rows of ``queryset`` for this delivery; return the claimed rows (a
    queryset on the claim id) and how many there are. One query."""
    outcome = queryset.model.Outcome
    claim_id = uuid.uuid4()
    count = queryset.filter(outcome=outcome.PENDING).update(
        outcome=outcome.SENDING,
        claim=claim_id,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    mine = queryset.model.objects.filter(claim=claim_id, outcome=outcome.SENDING)
    return mine, count


def skip(mine: QuerySet, ids) -> int:
    """Mark claimed rows that are no longer worth sending as skipped. One query."""
    return mine.filter(pk__in=list(ids)).update(outcome=mine.model.Outcome.SKIPPED, claim=None)


def send_claimed(
    compose: Callable[[], EmailMessage],
    *,
    mine: QuerySet,
    attempts: int,
    max_attempts: int,
    final_attempt: bool,
    what: str,
) -> int:
    """Compose (``compose()``) and send the message for the claimed rows ``mine``, then mark
    them; returns how many rows were marked sent. A failure to compose counts as a failure
    to send. ``attempts`` is the rows' highest attempt count (after the claim). Raises
    :class:`DigestDeliveryError` when the backend fails."""
    outcome = mine.model.Outcome
    try:
        compose().send(fail_silently=False)
    except BaseException as exc:
        final = final_attempt or attempts >= max_attempts
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        mine.update(
            outcome=outcome.FAILED if final else outcome.PENDING,
            claim=None,
            error=error,
        )
        logger.warning(
            f"{what} failed" + (" for the last time" if final else ", will retry"),
            extra={"error": error},
        )
        if not isinstance(exc, Exception):  # interpreter exit, worker shutdown: let it go
            raise
        raise DigestDeliveryError(error, final=final) from exc
    return mine.update(outcome=outcome.SENT, sent_at=timezone.now(), claim=None, error="")


def fail_abandoned(
    queryset: QuerySet, *, timeout_minutes: int, now: datetime.datetime | None = None
) -> int:
    """Rows claimed by a delivery that never finished (its process died) are marked failed.

    Whether that e-mail left is unknown — the backend may have accepted it just before the
    crash — so it is not re-sent automatically (that could be a duplicate); the failure is
    shown to the secretariat instead. One query.
    """
    outcome = queryset.model.Outcome
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=timeout_minutes)
    count = queryset.filter(outcome=outcome.SENDING, claimed_at__lt=cutoff).update(
        outcome=outcome.FAILED,
        claim=None,
        error=(
            "The delivery was interrupted (worker stopped while sending); the e-mail may or "
            "may not have been sent, so it was not sent again."
        ),
    )
    if count:
        logger.error(
            "abandoned deliveries marked failed",
            extra={"table": queryset.model._meta.label, "rows": count},
        )
    return count


@dataclass
class DeliveryResult:
    """One digest's delivery: rows marked sent and skipped, and whether an e-mail left."""

    sent: int = 0
    skipped: int = 0
    email_sent: bool = False


@dataclass
class RunResult:
    """A daily job: what was recorded (the kind's own record result) and the digests."""

    record: Any
    digests_dispatched: int = 0
    digests_sent: int = 0
    digests_failed: int = 0
    abandoned_failed: int = 0


def hand_over(
    result: RunResult,
    targets: Sequence,
    deliver: Callable[..., DeliveryResult | None],
    *,
    describe: Callable[[Any], str],
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Hand every target's digest to ``deliver`` (called with the target's fields: a tuple is
    spread); a failed digest is counted and does not stop the others."""
    for index, target in enumerate(targets, start=1):
        try:
            delivered = deliver(*target) if isinstance(target, tuple) else deliver(target)
        except DigestDeliveryError as exc:
            result.digests_failed += 1
            if progress:
                progress(f"digest {index}/{len(targets)} ({describe(target)}) failed: {exc}")
            continue
        result.digests_dispatched += 1
        result.digests_sent += int(bool(delivered and delivered.email_sent))
        if progress and (index % 100 == 0 or index == len(targets)):
            progress(f"digests: {index}/{len(targets)} handed over")
    return result
