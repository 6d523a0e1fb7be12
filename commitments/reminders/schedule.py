"""Which review reminders are owed on a given day: one pure function of plain data.

The review schedule itself (when a commitment's next review falls due) is
:func:`commitments.rules.next_review_due`; this module only decides, for that due date and
``today``, which reminder stage applies and to whom:

* **upcoming** — from ``upcoming_days`` before the due date until the day before it;
* **due** — from the due date until the first weekly overdue reminder;
* **overdue** — weekly after the due date: week *n* (``sequence`` = n) starts
  ``n * overdue_every_days`` days after it, for as long as no review is logged;
* **escalation** — to the secretariat, once, from ``escalation_days`` overdue on.

A stage stays owed until the next one starts, so a day the job did not run is caught up the
next day; the Reminder table's unique constraint (recipient, commitment, due date, kind,
sequence) makes each stage go out once. Nothing here touches the database.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from commitments.models import Reminder, due_soon_days
from commitments.rules import add_days, next_review_due

Kind = Reminder.Kind


@dataclass(frozen=True)
class ReminderWindows:
    """The settings values that shape the schedule (REMINDER_* in settings)."""

    upcoming_days: int = 14
    overdue_every_days: int = 7
    escalation_days: int = 30

    @classmethod
    def from_settings(cls) -> "ReminderWindows":
        from django.conf import settings

        return cls(
            # The "upcoming" reminder starts when the workspace and the public pages start
            # calling a review "due soon": one window.
            upcoming_days=due_soon_days(),
            overdue_every_days=settings.REMINDER_OVERDUE_EVERY_DAYS,
            escalation_days=settings.REMINDER_ESCALATION_DAYS,
        )


@dataclass(frozen=True)
class CommitmentFacts:
    """What the schedule needs to know about one commitment (its derived fields)."""

    id: int
    state_id: str
    status: str
    pledged_on: datetime.date
    last_reported_on: datetime.date | None
    review_interval_days: int
    is_demo: bool = False

    @property
    def due_on(self) -> datetime.date | None:
        return next_review_due(
            status=self.status,
            pledged_on=self.pledged_on,
            last_reported_on=self.last_reported_on,
            review_interval_days=self.review_interval_days,
        )


@dataclass(frozen=True)
class Recipient:
    """A person (``user_id``) or the secretariat's shared mailbox (``user_id`` None)."""

    user_id: int | None
    email: str
    opted_out: bool = False

    @property
    def wants_review_reminders(self) -> bool:
        """Whether a person acting for a State is sent its review reminders (escalations to
        the secretariat cannot be opted out of, so they ignore this)."""
        return not self.opted_out


@dataclass(frozen=True)
class OwedReminder:
    commitment_id: int
    recipient_id: int | None
    recipient_email: str
    kind: str
    due_on: datetime.date
    sequence: int
    is_demo: bool = False

    @property
    def key(self) -> tuple:
        """The identity the database's unique constraints enforce."""
        who = self.recipient_id if self.recipient_id is not None else self.recipient_email
        return (who, self.commitment_id, self.due_on, self.kind, self.sequence)


def owed_window_end(today: datetime.date, windows: ReminderWindows) -> datetime.date:
    """The latest due date for which anything can be owed today (every earlier one may be)."""
    return add_days(today, windows.upcoming_days)


def is_escalated(*, due_on: datetime.date, today: datetime.date, windows: ReminderWindows) -> bool:
    """Whether a review due on ``due_on`` has been escalated to the secretariat by ``today``
    (the escalation stage: from ``escalation_days`` overdue on)."""
    return (today - due_on).days >= windows.escalation_days


def reminders_owed(
    commitments: Iterable[CommitmentFacts],
    *,
    today: datetime.date,
    windows: ReminderWindows,
    state_recipients: Mapping[str, Sequence[Recipient]],
    secretariat: Sequence[Recipient],
) -> list[OwedReminder]:
    """The reminders owed on ``today`` for ``commitments``.

    ``state_recipients`` maps a State code to the people who act for it (its focal point and
    delegates); those who opted out are left out. ``secretariat`` receives escalations, which
    cannot be opted out of. Closed (complete, withdrawn) commitments owe nothing.
    """
    owed: list[OwedReminder] = []
    for facts in commitments:
        due_on = facts.due_on
        if due_on is None:
            continue
        days_late = (today - due_on).days
        if days_late < -windows.upcoming_days:
            continue
        if days_late < 0:
            stage = (Kind.UPCOMING, 0)
        elif days_late < windows.overdue_every_days:
            stage = (Kind.DUE, 0)
        else:
            stage = (Kind.OVERDUE, days_late // windows.overdue_every_days)
        for person in state_recipients.get(facts.state_id, ()):
            if not person.wants_review_reminders:
                continue
            owed.append(_owed(facts, person, due_on, *stage))
        if is_escalated(due_on=due_on, today=today, windows=windows):
            for person in secretariat:
                owed.append(_owed(facts, person, due_on, Kind.ESCALATION, 0))
    return owed


def _owed(
    facts: CommitmentFacts, person: Recipient, due_on: datetime.date, kind: str, sequence: int
) -> OwedReminder:
    return OwedReminder(
        commitment_id=facts.id,
        recipient_id=person.user_id,
        recipient_email=person.email,
        kind=str(kind),
        due_on=due_on,
        sequence=sequence,
        is_demo=facts.is_demo,
    )
