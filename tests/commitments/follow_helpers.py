"""Shared pieces of the follow tests: confirmed followers, and the day a job runs so that
events created "now" fall in its period."""

import datetime

from django.core import mail
from django.utils import timezone

from commitments.follows.models import Follow, Follower
from commitments.selectors import review_today


def job_day() -> datetime.date:
    """Tomorrow: a run then looks at events up to the start of tomorrow, so what a test creates
    now is in its period."""
    return review_today() + datetime.timedelta(days=1)


def follower(email="reader@example.org", *, frequency="daily", language="en", **items):
    """A confirmed follower following the given items (state=, commitment=, step=), confirmed
    an hour ago."""
    since = timezone.now() - datetime.timedelta(hours=1)
    person = Follower.objects.create(
        email=email, frequency=frequency, language=language, confirmed_at=since
    )
    for name, value in items.items():
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            Follow.objects.create(follower=person, confirmed_at=since, **{name: one})
    return person


def outbox_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)
