"""Reads for the public pages. They span the other apps, so they live here, at the top."""

from django.db.models import Count, Q

from commitments.models import Commitment, ProgressUpdate
from focalpoints.models import FocalPoint, MemberState, ReferenceFigure


def landing_figures() -> dict:
    """Headline figures for the landing page."""
    states = MemberState.objects.aggregate(
        members=Count("code", filter=Q(kind=MemberState.Kind.MEMBER)),
        all=Count("code"),
    )
    with_focal_point = (
        FocalPoint.objects.current()
        .filter(state__kind=MemberState.Kind.MEMBER)
        .values("state")
        .distinct()
        .count()
    )
    eu_or_observers_with_focal_point = (
        FocalPoint.objects.current()
        .exclude(state__kind=MemberState.Kind.MEMBER)
        .values("state")
        .distinct()
        .count()
    )
    return {
        "member_states": states["members"],
        "states_total": states["all"],
        "members_with_focal_point": with_focal_point,
        "others_with_focal_point": eu_or_observers_with_focal_point,
        "commitments": Commitment.objects.count(),
        "updates": ProgressUpdate.objects.count(),
        "focal_point_figures": list(
            ReferenceFigure.objects.filter(topic=ReferenceFigure.Topic.FOCAL_POINTS).order_by(
                "-as_of"
            )[:1]
        ),
    }
