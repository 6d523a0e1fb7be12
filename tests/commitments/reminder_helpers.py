"""Shared pieces of the reminder tests: commitments due on a chosen day, and e-mail backends
that fail the way real ones do."""

import datetime
import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from tests.factories import CommitmentFactory

TODAY = datetime.date(2026, 6, 30)


def commitment_due(state, days_from_today: int, *, today=TODAY, interval=180, **kwargs):
    """A never-reported commitment whose review falls due ``days_from_today`` after today."""
    due = today + datetime.timedelta(days=days_from_today)
    return CommitmentFactory(
        state=state,
        pledged_on=due - datetime.timedelta(days=interval),
        review_interval_days=interval,
        **kwargs,
    )


def recipients_of_outbox() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


class WorkerKilled(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the app swallows it."""


class CrashingBackend(LocmemBackend):
    """Delivers like locmem, then "dies" on the message number ``crash_on`` (1-based)."""

    crash_on = 3
    attempted = 0

    def send_messages(self, messages):
        for _message in messages:
            type(self).attempted += 1
            if type(self).attempted == type(self).crash_on:
                raise WorkerKilled("killed while sending")
        return super().send_messages(messages)


class FlakySMTPBackend(LocmemBackend):
    """Refuses the first ``failures`` messages as an SMTP server would, then delivers."""

    failures = 2
    attempted = 0

    def send_messages(self, messages):
        type(self).attempted += 1
        if type(self).attempted <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
