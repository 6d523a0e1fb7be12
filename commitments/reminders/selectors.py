"""Reads for the reminder job and its pages. Each returns plain data or a queryset; none
writes. Query counts are fixed per call (the commitment batches are read by keyset)."""

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, QuerySet

from commitments.models import Commitment, Reminder
from commitments.reminders.schedule import CommitmentFacts, Recipient
from focalpoints.models import StateAccess
from focalpoints.permissions import secretariat_users

FACT_FIELDS = (
    "id",
    "state_id",
    "status",
    "pledged_on",
    "last_reported_on",
    "review_interval_days",
    "is_demo",
)


# Who is reminded — the one definition. The daily job reads it to record what is owed, and a
# delivery reads it again (for one person) to drop rows whose recipient no longer qualifies.


def reminder_recipients_by_state(*, user_id: int | None = None) -> dict[str, list[Recipient]]:
    """State code -> the active people acting for it (focal point and delegates) who have an
    e-mail address, with their opt-out flag (:attr:`Recipient.wants_review_reminders` decides).
    Only ``user_id``'s States when given. One query."""
    accesses = StateAccess.objects.filter(is_active=True, user__is_active=True)
    if user_id is not None:
        accesses = accesses.filter(user_id=user_id)
    rows = (
        accesses.exclude(user__email="")
        .order_by("state_id", "user_id")
        .values_list("state_id", "user_id", "user__email", "user__reminders_opt_out")
    )
    by_state: dict[str, list[Recipient]] = defaultdict(list)
    for state_id, user_id, email, opted_out in rows:
        by_state[state_id].append(Recipient(user_id=user_id, email=email, opted_out=opted_out))
    return dict(by_state)


def reminder_secretariat_recipients() -> list[Recipient]:
    """Who receives escalations: every active staff user with an e-mail address, plus the
    shared SECRETARIAT_EMAIL mailbox when it is set and is not already one of them. One
    query. Escalations cannot be opted out of, so the opt-out flag is ignored here."""
    staff = list(secretariat_users().exclude(email="").order_by("id").values_list("id", "email"))
    recipients = [Recipient(user_id=user_id, email=email) for user_id, email in staff]
    mailbox = settings.SECRETARIAT_EMAIL.strip()
    if mailbox and mailbox.lower() not in {email.lower() for _id, email in staff}:
        recipients.append(Recipient(user_id=None, email=mailbox))
    return recipients


def commitment_fact_batches(
    *, due_on_or_before: datetime.date, batch_size: int
) -> Iterator[list[CommitmentFacts]]:
    """Open commitments whose review falls due on or before the given day, in batches of
    ``batch_size`` ordered by id (keyset pagination: one query per batch, however large the
    table)."""
    queryset = (
        Commitment.objects.filter(next_review_due__lte=due_on_or_before)
        .order_by("id")
        .values_list(*FACT_FIELDS)
    )
    last_id = 0
    while True:
        rows = list(queryset.filter(id__gt=last_id)[:batch_size])
        if rows:
            yield [CommitmentFacts(*row) for row in rows]
            last_id = rows[-1][0]
        if len(rows) < batch_size:
            return


def reminder_targets_pending(day: datetime.date) -> list[tuple[int | None, str]]:
    """Who has recorded reminders still waiting to be delivered (owed on ``day`` or
    earlier): ``(user id, "")`` for a person, ``(None, address)`` for the shared mailbox.
    One query."""
    rows = (
        Reminder.objects.filter(outcome=Reminder.Outcome.PENDING, owed_on__lte=day)
        .values_list("recipient_id", "recipient_email")
        .distinct()
    )
    targets: set[tuple[int | None, str]] = set()
    for recipient_id, email in rows:
        targets.add((recipient_id, "") if recipient_id is not None else (None, email))
    return sorted(targets, key=lambda target: (target[0] is None, target[0] or 0, target[1]))


def reminders_for_target(*, recipient_id: int | None, mailbox: str = "") -> QuerySet[Reminder]:
    """A digest's rows: a person's reminders, or the shared mailbox's."""
    if recipient_id is not None:
        return Reminder.objects.filter(recipient_id=recipient_id)
    return Reminder.objects.filter(recipient__isnull=True, recipient_email=mailbox)


def reminders_for_staff(outcome: str) -> QuerySet[Reminder]:
    """The reminder log for the secretariat, newest first, with what each row shows."""
    outcomes = (
        [Reminder.Outcome.PENDING, Reminder.Outcome.SENDING]
        if outcome == Reminder.Outcome.PENDING
        else [outcome]
    )
    return (
        Reminder.objects.filter(outcome__in=outcomes)
        .select_related("commitment__state", "recipient")
        .order_by("-owed_on", "-id")
    )


def reminder_outcome_counts() -> dict[str, int]:
    """How many reminders there are per outcome ("pending" includes those being sent)."""
    counts = dict.fromkeys(Reminder.Outcome.values, 0)
    for outcome, total in (
        Reminder.objects.order_by().values_list("outcome").annotate(total=Count("id"))
    ):
        counts[outcome] = total
    counts[Reminder.Outcome.PENDING] += counts.pop(Reminder.Outcome.SENDING, 0)
    return counts
