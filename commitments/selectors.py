"""Reads that span relations in the commitments domain. Views, API, tasks and dashboards
call these rather than re-writing the filters."""

import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from commitments.models import Commitment, ProgressUpdate
from focalpoints.models import FocalPoint


def review_today() -> datetime.date:
    """The date reviews are judged against: today in the site's time zone (TIME_ZONE)."""
    return timezone.localdate()


def overdue_q(today: datetime.date) -> Q:
    """A review is overdue the day after it falls due. Closed commitments have no due date."""
    return Q(next_review_due__lt=today)


def due_soon_q(today: datetime.date, days: int = 14) -> Q:
    return Q(next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=days))


def commitments_with_relations(
    queryset: QuerySet[Commitment] | None = None,
) -> QuerySet[Commitment]:
    """Commitments with what every list shows (State, step, latest update) in one query."""
    queryset = Commitment.objects.all() if queryset is None else queryset
    return queryset.select_related("state", "step", "latest_update")


def commitments_overdue(today: datetime.date | None = None) -> QuerySet[Commitment]:
    return commitments_with_relations().filter(overdue_q(today or review_today()))


def commitments_for_states(state_codes, today: datetime.date | None = None) -> QuerySet[Commitment]:
    """The workspace list: overdue first, then due soonest, then by title."""
    return commitments_with_relations(Commitment.objects.filter(state_id__in=state_codes)).order_by(
        "next_review_due", "title"
    )


def updates_timeline(commitment: Commitment) -> QuerySet[ProgressUpdate]:
    """A commitment's updates, oldest first, with evidence, author, and what corrects what."""
    return (
        commitment.updates.select_related("author", "corrects")
        .prefetch_related("evidence")
        .order_by("reported_on", "created_at", "id")
    )


DEMO_CACHE_KEY = "commitments:demo-data-present"


def demo_data_present() -> bool:
    """True while any demonstration row exists (every page then shows the notice). Cached for
    five minutes; ``forget_demo_data_flag`` clears it when demo data is added or removed."""
    present = cache.get(DEMO_CACHE_KEY)
    if present is None:
        present = (
            Commitment.objects.filter(is_demo=True).exists()
            or get_user_model().objects.filter(is_demo=True).exists()
            or FocalPoint.objects.filter(is_demo=True).exists()
        )
        cache.set(DEMO_CACHE_KEY, present, 300)
    return present


def forget_demo_data_flag() -> None:
    cache.delete(DEMO_CACHE_KEY)
