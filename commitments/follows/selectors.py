"""Reads of the follow job and its pages. None writes; each is a fixed number of queries."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from commitments.follows.models import Follow, Follower, FollowNotice, Frequency

# A follow is matched to an event by the commitment, its State or its step.
Target = tuple[str, object]


def active_follows() -> QuerySet[Follow]:
    """Follows that are told: confirmed, by a confirmed follower who has not unsubscribed."""
    return Follow.objects.filter(
        confirmed_at__isnull=False,
        follower__confirmed_at__isnull=False,
        follower__unsubscribed_at__isnull=True,
    )


def active_follows_by_target(
    *, follower_id: int | None = None
) -> dict[Target, list[tuple[int, datetime.datetime]]]:
    """(kind, key) -> [(follower id, told of events from this moment)] for every active
    follow (only ``follower_id``'s when given). One query."""
    follows = active_follows()
    if follower_id is not None:
        follows = follows.filter(follower_id=follower_id)
    rows = follows.order_by("id").values_list(
        "follower_id", "state_id", "commitment_id", "step_id", "confirmed_at"
    )
    by_target: dict[Target, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for follower_id_, state_id, commitment_id, step_id, since in rows:
        if state_id:
            target = ("state", state_id)
        elif commitment_id:
            target = ("commitment", commitment_id)
        else:
            target = ("step", step_id)
        by_target[target].append((follower_id_, since))
    return dict(by_target)


def event_targets(*, state_id: str, commitment_id: int, step_id: int) -> list[Target]:
    """The follows an event about this commitment reaches."""
    return [("state", state_id), ("commitment", commitment_id), ("step", step_id)]


def follow_targets_pending(today: datetime.date, *, weekly_day: bool, week_days: int = 7):
    """The followers whose digest goes out today: daily followers with pending notices, and
    weekly followers on the weekly day — or any day once a notice has waited a full week (a
    missed weekly run is caught up). One query."""
    pending = FollowNotice.objects.filter(outcome=FollowNotice.Outcome.PENDING, owed_on__lte=today)
    if not weekly_day:
        pending = pending.filter(
            Q(follower__frequency=Frequency.DAILY)
            | Q(owed_on__lte=today - datetime.timedelta(days=week_days))
        )
    return sorted(set(pending.values_list("follower_id", flat=True)))


def follower_follows(follower: Follower) -> QuerySet[Follow]:
    """A follower's follows with what the manage page shows. One query."""
    return follower.follows.select_related("state", "commitment__state", "step").order_by(
        "confirmed_at", "id"
    )


def follower_counts() -> dict[str, int]:
    """For the secretariat: how many followers are confirmed, waiting for confirmation or
    unsubscribed, and how many follows are active. Two queries."""
    followers = Follower.objects.aggregate(
        confirmed=Count("id", filter=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True)),
        unconfirmed=Count("id", filter=Q(confirmed_at__isnull=True, unsubscribed_at__isnull=True)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
    )
    return {**followers, "active_follows": active_follows().count()}
