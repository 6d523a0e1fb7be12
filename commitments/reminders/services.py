"""Writes of the reminder cycle: record what is owed, then deliver one digest per recipient.

Exactly-once effect (see docs/reminders.md for each crash point):

1. **Record before sending.** :func:`reminders_record` inserts every owed reminder as a
   ``pending`` row under the unique constraint (recipient, commitment, due date, kind,
   sequence) with ``INSERT ... ON CONFLICT DO NOTHING`` in batches. A second run the same day
   inserts nothing new.
2. **Claim with a conditional update.** :func:`reminder_digest_deliver` moves a recipient's
   pending rows to ``sending`` in one ``UPDATE ... WHERE outcome = 'pending'``, stamped with a
   fresh claim id. Two concurrent deliveries cannot both claim a row, so cannot both send it.
3. **Send, then mark what was claimed.** ``sending -> sent`` after the backend accepted the
   message; on an error the claim is released (``pending``, error and attempt recorded) so the
   task retries with backoff, and after the last try the rows are ``failed`` — never dropped.
4. A process killed between the SMTP hand-over and the mark leaves rows in ``sending``; after
   REMINDER_CLAIM_TIMEOUT_MINUTES :func:`reminders_fail_abandoned` marks them ``failed`` with
   an explanation for the secretariat rather than risk a duplicate.

The daily job is :func:`reminders_daily_job`, the one orchestration the Celery task and the
``send_reminders`` command both call. The message itself (its wording and its links to the
workspace) is composed by the layer that owns those pages: ``REMINDER_DIGEST_EMAIL`` names the
function (``workspace.emails.reminder_digest_message``), so this domain module never names a
page.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils.module_loading import import_string

from commitments import delivery
from commitments.delivery import DeliveryResult, RunResult
from commitments.models import Reminder
from commitments.reminders import selectors
from commitments.reminders.schedule import (
    ReminderWindows,
    is_escalated,
    owed_window_end,
    reminders_owed,
)
from commitments.selectors import review_today

logger = logging.getLogger(__name__)

Outcome = Reminder.Outcome
PREFERENCES_SALT = "commitments.reminder-preferences"
# Rows per INSERT: ~15 parameters each keeps a statement far below PostgreSQL's 65,535-parameter
# limit (SQLite's 999 makes Django split further there).
INSERT_ROWS_PER_STATEMENT = 2000


# --- Recording ----------------------------------------------------------------------------------


@dataclass
class RecordResult:
    commitments_examined: int = 0
    owed: int = 0
    newly_recorded: int = 0
    batches: int = 0
    owed_by_kind: dict[str, int] = field(default_factory=dict)


def reminders_record(
    *,
    today: datetime.date,
    windows: ReminderWindows | None = None,
    batch_size: int | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RecordResult:
    """Compute the reminders owed on ``today`` and record them as pending rows.

    Queries: 1 (recipients by State) + 1 (secretariat) + per batch of commitments 1 read and
    1 insert (split only past INSERT_ROWS_PER_STATEMENT rows, or SQLite's parameter limit)
    + 2 counts of today's rows. Nothing is inserted with ``dry_run``.
    """
    windows = windows or ReminderWindows.from_settings()
    batch_size = batch_size or settings.REMINDER_BATCH_SIZE
    state_recipients = selectors.reminder_recipients_by_state()
    secretariat = selectors.reminder_secretariat_recipients()
    result = RecordResult()
    before = 0 if dry_run else Reminder.objects.filter(owed_on=today).count()
    for batch in selectors.commitment_fact_batches(
        due_on_or_before=owed_window_end(today, windows), batch_size=batch_size
    ):
        owed = reminders_owed(
            batch,
            today=today,
            windows=windows,
            state_recipients=state_recipients,
            secretariat=secretariat,
        )
        result.batches += 1
        result.commitments_examined += len(batch)
        result.owed += len(owed)
        for item in owed:
            result.owed_by_kind[item.kind] = result.owed_by_kind.get(item.kind, 0) + 1
        if owed and not dry_run:
            Reminder.objects.bulk_create(
                [
                    Reminder(
                        commitment_id=item.commitment_id,
                        recipient_id=item.recipient_id,
                        recipient_email=item.recipient_email,
                        kind=item.kind,
                        due_on=item.due_on,
                        sequence=item.sequence,
                        owed_on=today,
                        is_demo=item.is_demo,
                    )
                    for item in owed
                ],
                batch_size=INSERT_ROWS_PER_STATEMENT,
                ignore_conflicts=True,
            )
        if progress:
            progress(
                f"batch {result.batches}: {result.commitments_examined} commitments examined, "
                f"{result.owed} reminders owed so far"
            )
    if not dry_run:
        result.newly_recorded = Reminder.objects.filter(owed_on=today).count() - before
    logger.info(
        "reminders recorded",
        extra={
            "today": today.isoformat(),
            "examined": result.commitments_examined,
            "owed": result.owed,
            "new": result.newly_recorded,
            "batches": result.batches,
            "dry_run": dry_run,
        },
    )
    return result


def reminders_fail_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Rows claimed by a delivery that never finished (its process died) are marked failed.

    Whether that e-mail left is unknown — the backend may have accepted it just before the
    crash — so it is not re-sent automatically (that could be a duplicate); the failure is
    shown to the secretariat instead. One query.
    """
    return delivery.fail_abandoned(
        Reminder.objects.all(), timeout_minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES, now=now
    )


def reminders_retry_failed(*, ids, deliver: "Deliver", day: datetime.date) -> int:
    """Put failed reminders back in the queue (the secretariat's "send again") and hand each
    person concerned to ``deliver``; returns how many digests were handed over. Two queries
    before the deliveries."""
    with transaction.atomic():
        queryset = Reminder.objects.filter(pk__in=list(ids), outcome=Outcome.FAILED)
        targets = {
            (recipient_id, "" if recipient_id is not None else email)
            for recipient_id, email in queryset.values_list("recipient_id", "recipient_email")
        }
        queryset.update(outcome=Outcome.PENDING, attempts=0, claim=None)
    ordered = sorted(targets, key=lambda target: (target[0] is None, target[0] or 0, target[1]))
    for recipient_id, mailbox in ordered:
        deliver(recipient_id, mailbox, day)
    return len(ordered)


# --- Delivery -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    """One commitment in a digest: what the reminder says, in plain data (no links — the
    composer adds those)."""

    commitment_id: int
    state_id: str
    state_name: str
    title: str
    kind: str
    kind_label: str
    due_on: datetime.date
    days_late: int
    is_overdue: bool
    escalated: bool
    public_path: str  # the commitment's public page (Commitment.get_absolute_url)

    @property
    def days_until(self) -> int:
        return -self.days_late


@dataclass(frozen=True)
class Digest:
    """Everything a digest message says: to whom, and which reviews."""

    recipient: object  # the user, or None for the secretariat's shared mailbox
    to: str
    items: list[DigestItem]
    today: datetime.date
    for_secretariat: bool
    escalation_days: int


def reminder_preferences_token(user) -> str:
    return signing.dumps({"user": user.pk}, salt=PREFERENCES_SALT, compress=True)


def user_from_reminder_preferences_token(token: str):
    """The user a signed preferences link was made for, or None if it is forged or expired."""
    try:
        payload = signing.loads(
            token,
            salt=PREFERENCES_SALT,
            max_age=datetime.timedelta(days=settings.REMINDER_PREFERENCES_LINK_MAX_AGE_DAYS),
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(payload, dict):
        return None
    return get_user_model().objects.filter(pk=payload.get("user"), is_active=True).first()


def _stale_ids(rows: list[Reminder], user) -> set[int]:
    """Claimed rows no longer worth sending: the commitment was reviewed or closed since, or
    the person no longer qualifies as a recipient (the same definitions the job recorded them
    by: :func:`selectors.reminder_recipients_by_state` and
    :func:`selectors.reminder_secretariat_recipients`)."""
    stale = {row.pk for row in rows if row.commitment.next_review_due != row.due_on}
    if user is None:
        return stale
    reminded_for = {
        state_id
        for state_id, people in selectors.reminder_recipients_by_state(user_id=user.pk).items()
        if any(person.wants_review_reminders for person in people)
    }
    escalations_to = {r.user_id for r in selectors.reminder_secretariat_recipients()}
    for row in rows:
        if row.kind == Reminder.Kind.ESCALATION:
            if user.pk not in escalations_to:
                stale.add(row.pk)
        elif row.commitment.state_id not in reminded_for:
            stale.add(row.pk)
    return stale


def _digest_items(
    rows: list[Reminder], today: datetime.date, windows: ReminderWindows, language: str
) -> list[DigestItem]:
    """One line per commitment (its latest stage), soonest due first; State names in the
    recipient's ``language``."""
    by_commitment: dict[int, Reminder] = {}
    order = {kind: rank for rank, kind in enumerate(Reminder.Kind.values)}
    for row in rows:
        current = by_commitment.get(row.commitment_id)
        if current is None or (order[row.kind], row.sequence) > (
            order[current.kind],
            current.sequence,
        ):
            by_commitment[row.commitment_id] = row
    items = [
        DigestItem(
            commitment_id=row.commitment_id,
            state_id=row.commitment.state_id,
            state_name=row.commitment.state.name_in(language),
            title=row.commitment.title,
            kind=row.kind,
            kind_label=str(row.get_kind_display()),
            due_on=row.due_on,
            days_late=(today - row.due_on).days,
            is_overdue=row.commitment.is_overdue(today),
            escalated=is_escalated(due_on=row.due_on, today=today, windows=windows),
            public_path=row.commitment.get_absolute_url(),
        )
        for row in by_commitment.values()
    ]
    return sorted(items, key=lambda item: (item.due_on, item.state_name, item.commitment_id))


def reminder_digest_message(digest: Digest, *, connection=None):
    """The e-mail for ``digest``, composed by the function ``REMINDER_DIGEST_EMAIL`` names."""
    compose = import_string(settings.REMINDER_DIGEST_EMAIL)
    return compose(digest, connection=connection)


def reminder_digest_deliver(
    *,
    recipient_id: int | None,
    mailbox: str = "",
    day: datetime.date,
    final_attempt: bool = False,
    connection=None,
) -> DeliveryResult:
    """Send one digest to a person (``recipient_id``) or the shared mailbox, listing every
    reminder recorded for them on ``day`` or earlier that has not been sent.

    Raises :class:`DigestDeliveryError` when the backend fails (the rows are then pending
    again for a retry, or failed if this was the last try).
    """
    result = DeliveryResult()
    target = selectors.reminders_for_target(recipient_id=recipient_id, mailbox=mailbox)
    # The claim: one conditional UPDATE, so a concurrent or repeated delivery gets nothing.
    mine, claimed = delivery.claim(target.filter(owed_on__lte=day))
    if not claimed:
        return result
    rows = list(mine.select_related("commitment__state", "recipient").order_by("id"))
    user = rows[0].recipient if recipient_id is not None else None
    stale = _stale_ids(rows, user)
    if stale:
        result.skipped = delivery.skip(mine, stale)
        rows = [row for row in rows if row.pk not in stale]
    if not rows:
        return result

    today = review_today()
    windows = ReminderWindows.from_settings()
    digest = Digest(
        recipient=user,
        to=user.email if user else mailbox,
        items=_digest_items(
            rows, today, windows, user.preferred_language if user else settings.LANGUAGE_CODE
        ),
        today=today,
        for_secretariat=all(row.kind == Reminder.Kind.ESCALATION for row in rows),
        escalation_days=windows.escalation_days,
    )
    result.sent = delivery.send_claimed(
        lambda: reminder_digest_message(digest, connection=connection),
        mine=mine,
        attempts=max(row.attempts for row in rows),
        max_attempts=settings.REMINDER_MAX_ATTEMPTS,
        final_attempt=final_attempt,
        what=f"reminder digest to recipient {recipient_id}",
    )
    result.email_sent = True
    logger.info("reminder digest sent", extra={"recipient": recipient_id, "rows": result.sent})
    return result


# --- The daily job: one orchestration for the Celery task and the command -------------------


# deliver(recipient_id, mailbox, day): hands one digest to whoever sends it — the Celery task
# enqueues a delivery (after commit), the command delivers in this process and returns its
# DeliveryResult.
Deliver = Callable[[int | None, str, datetime.date], DeliveryResult | None]


def reminders_daily_job(
    *,
    today: datetime.date,
    deliver: Deliver | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """The daily job: fail abandoned claims, record what is owed (one transaction), then hand
    every recipient with pending reminders to ``deliver`` (default: deliver in this process).
    A failed digest does not stop the others; its rows stay pending for a retry (or are failed
    after REMINDER_MAX_ATTEMPTS)."""
    if dry_run:
        return RunResult(record=reminders_record(today=today, dry_run=True, progress=progress))
    deliver = deliver or _deliver_here
    abandoned = reminders_fail_abandoned()
    with transaction.atomic():
        record = reminders_record(today=today, progress=progress)
        targets = selectors.reminder_targets_pending(today)
    return delivery.hand_over(
        RunResult(record=record, abandoned_failed=abandoned),
        targets,
        lambda recipient_id, mailbox: deliver(recipient_id, mailbox, today),
        describe=lambda target: f"recipient {target[0]}" if target[0] else target[1],
        progress=progress,
    )


def _deliver_here(recipient_id: int | None, mailbox: str, day: datetime.date) -> DeliveryResult:
    return reminder_digest_deliver(recipient_id=recipient_id, mailbox=mailbox, day=day)


# --- Preferences --------------------------------------------------------------------------------


def reminder_preferences_set(*, user, opt_out: bool, language: str | None = None) -> None:
    """Change whether a person gets review reminders, and in which language."""
    user.reminders_opt_out = opt_out
    fields = ["reminders_opt_out"]
    if language:
        user.preferred_language = language
        fields.append("preferred_language")
    user.save(update_fields=fields)
    logger.info("reminder preferences changed", extra={"user": user.pk, "opt_out": opt_out})
