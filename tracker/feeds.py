"""Atom feeds of progress updates, pledge revisions, published independent assessments and the
States' replies: all of them, one State's, one commitment's. Corrections, revisions, assessments
and replies are items of their own. No author is named (accounts are private); an assessment
names its organisation. Assessments waiting for moderation or rejected never appear. A separate
feed publishes the ledger head once a day, so that whoever archives feeds holds witnesses of
past heads."""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from commitments.models import (
    Assessment,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    LedgerEntry,
    ProgressUpdate,
)
from commitments.selectors import public_assessment_replies, public_assessments
from focalpoints.models import MemberState

FEED_LENGTH = 50
LEDGER_HEAD_DAYS = 30


def _updates():
    return ProgressUpdate.objects.select_related("commitment__state").order_by("-created_at", "-id")


def _revisions():
    return CommitmentRevision.objects.select_related("commitment__state").order_by(
        "-created_at", "-id"
    )


def _assessments():
    return (
        public_assessments()
        .select_related("commitment__state", "organisation")
        .order_by("-published_at", "-id")
    )


def _replies():
    return (
        public_assessment_replies()
        .select_related("assessment__commitment__state", "assessment__organisation")
        .order_by("-published_at", "-id")
    )


def _when(item):
    """When the item was published."""
    if isinstance(item, Assessment | AssessmentReply):
        return item.published_at
    return item.created_at


def _newest(updates, revisions, assessments, replies) -> list:
    """The newest FEED_LENGTH of the four kinds (four queries)."""
    items = [
        *updates[:FEED_LENGTH],
        *revisions[:FEED_LENGTH],
        *assessments[:FEED_LENGTH],
        *replies[:FEED_LENGTH],
    ]
    items.sort(key=_when, reverse=True)
    return items[:FEED_LENGTH]


def _assessment_title(item: Assessment) -> str:
    values = {
        "organisation": item.organisation.name,
        "state": item.commitment.state.display_name,
        "title": item.commitment.title,
        "status": item.get_status_display(),
    }
    if item.is_correction:
        return (
            _(
                "Corrected independent assessment by %(organisation)s — %(state)s: %(title)s "
                "(%(status)s)"
            )
            % values
        )
    return (
        _("Independent assessment by %(organisation)s — %(state)s: %(title)s (%(status)s)") % values
    )


def _assessment_description(item: Assessment) -> str:
    text = item.narrative
    period = _("Period assessed: %(start)s to %(end)s.") % {
        "start": item.period_start.isoformat(),
        "end": item.period_end.isoformat(),
    }
    text = period + "\n\n" + text
    if item.is_correction:
        text = _("This assessment corrects an earlier one, which stays published.") + "\n\n" + text
    if item.is_disputed:
        text += "\n\n" + _("Disputed by the secretariat: %(reason)s") % {
            "reason": item.dispute_reason
        }
    if item.is_demo:
        text = _("Demonstration data: fictional, not to be cited.") + "\n\n" + text
    return text


def _reply_title(item: AssessmentReply) -> str:
    assessment = item.assessment
    return _("Reply of %(state)s to %(organisation)s's assessment: %(title)s") % {
        "state": assessment.commitment.state.display_name,
        "organisation": assessment.organisation.name,
        "title": assessment.commitment.title,
    }


def _reply_description(item: AssessmentReply) -> str:
    if item.is_demo:
        return _("Demonstration data: fictional, not to be cited.") + "\n\n" + item.text
    return item.text


def _revision_title(item: CommitmentRevision) -> str:
    values = {
        "state": item.commitment.state.name,
        "title": item.commitment.title,
        "term": item.get_field_display(),
        "before": item.before_display,
        "after": item.after_display,
    }
    if item.field == "target_date":
        return _("Target moved — %(state)s: %(title)s (%(before)s → %(after)s)") % values
    if item.field == "withdrawn_on" and item.after:
        return _("Withdrawn — %(state)s: %(title)s") % values
    return _("Pledge revised (%(term)s) — %(state)s: %(title)s") % values


def _revision_description(item: CommitmentRevision) -> str:
    by = (
        _("by the secretariat, at the request of the focal point")
        if item.requested_by_role == "focal-point"
        else _("by the secretariat")
    )
    values = {"before": item.before_display, "after": item.after_display, "by": by}
    text = _("From “%(before)s” to “%(after)s”, %(by)s.") % values
    return text + "\n\n" + _("Reason: %(reason)s") % {"reason": item.reason}


class UpdatesFeed(Feed):
    """Every published progress update, newest first (one query)."""

    feed_type = Atom1Feed

    def title(self, obj=None):
        return _("R2P Commitment Tracker: progress updates")

    def subtitle(self, obj=None):
        return _("Progress reported by States on their commitments under the R2P, newest first.")

    def link(self, obj=None):
        return reverse("tracker:dashboard")

    def items(self, obj=None):
        return _newest(_updates(), _revisions(), _assessments(), _replies())

    def item_title(self, item) -> str:
        if isinstance(item, CommitmentRevision):
            return _revision_title(item)
        if isinstance(item, Assessment):
            return _assessment_title(item)
        if isinstance(item, AssessmentReply):
            return _reply_title(item)
        values = {
            "state": item.commitment.state.display_name,
            "title": item.commitment.title,
            "status": item.get_status_display(),
        }
        if item.is_correction:
            return _("Correction — %(state)s: %(title)s (%(status)s)") % values
        return _("%(state)s: %(title)s (%(status)s)") % values

    def item_description(self, item) -> str:
        if isinstance(item, CommitmentRevision):
            return _revision_description(item)
        if isinstance(item, Assessment):
            return _assessment_description(item)
        if isinstance(item, AssessmentReply):
            return _reply_description(item)
        text = item.narrative
        if item.is_correction:
            text = _("This update corrects an earlier one, which stays published.") + "\n\n" + text
        if item.is_demo:
            text = _("Demonstration data: fictional, not to be cited.") + "\n\n" + text
        return text

    def item_link(self, item) -> str:
        if isinstance(item, CommitmentRevision):
            return item.commitment.get_absolute_url() + f"#revision-{item.pk}"
        return item.get_absolute_url()

    def item_guid(self, item) -> str:
        if isinstance(item, CommitmentRevision):
            return f"revision-{item.pk}"
        if isinstance(item, Assessment):
            return f"assessment-{item.pk}"
        if isinstance(item, AssessmentReply):
            return f"assessment-reply-{item.pk}"
        return f"update-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return _when(item)

    def item_updateddate(self, item):
        if isinstance(item, Assessment) and item.disputed_at:
            return item.disputed_at
        return _when(item)

    def item_categories(self, item):
        if isinstance(item, CommitmentRevision):
            return ["revision", item.field, item.commitment.state_id]
        if isinstance(item, Assessment):
            return ["assessment", item.status, item.commitment.state_id]
        if isinstance(item, AssessmentReply):
            return ["reply", item.assessment.commitment.state_id]
        return [item.status, item.commitment.state_id]


class StateUpdatesFeed(UpdatesFeed):
    """One State's progress updates (two queries: the State, its updates)."""

    def get_object(self, request, code: str):
        return get_object_or_404(MemberState, code=code.upper())

    def title(self, obj=None):
        return _("%(state)s: progress updates on R2P commitments") % {"state": obj.display_name}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def items(self, obj=None):
        return _newest(
            _updates().filter(commitment__state=obj),
            _revisions().filter(commitment__state=obj),
            _assessments().filter(commitment__state=obj),
            _replies().filter(assessment__commitment__state=obj),
        )


class CommitmentUpdatesFeed(UpdatesFeed):
    """One commitment's progress updates (two queries: the commitment, its updates)."""

    def get_object(self, request, pk: int):
        return get_object_or_404(Commitment.objects.select_related("state"), pk=pk)

    def title(self, obj=None):
        return _("%(state)s: %(title)s — progress updates") % {
            "state": obj.state.display_name,
            "title": obj.title,
        }

    def link(self, obj=None):
        return obj.get_absolute_url()

    def items(self, obj=None):
        return _newest(
            _updates().filter(commitment=obj),
            _revisions().filter(commitment=obj),
            _assessments().filter(commitment=obj),
            _replies().filter(assessment__commitment=obj),
        )


@dataclass(frozen=True)
class DailyHead:
    day: datetime.date
    sequence: int
    hash: str
    recorded_at: datetime.datetime


class LedgerHeadFeed(Feed):
    """One entry a day: the ledger head at the end of each of the last days with entries (today:
    the head so far). Archived copies of this feed are witnesses: a chain that no longer starts
    with a head once published has been rewritten. Two queries."""

    feed_type = Atom1Feed

    def title(self, obj=None):
        return _("R2P Commitment Tracker: ledger head")

    def subtitle(self, obj=None):
        return _("The sequence and SHA-256 of the latest ledger entry, once a day.")

    def link(self, obj=None):
        return reverse("tracker:data")

    def items(self, obj=None):
        last_per_day = (
            LedgerEntry.objects.annotate(day=TruncDate("recorded_at"))
            .values("day")
            .annotate(last=Max("sequence"))
            .order_by("-day")[:LEDGER_HEAD_DAYS]
        )
        days = {row["last"]: row["day"] for row in last_per_day}
        entries = LedgerEntry.objects.filter(sequence__in=list(days)).order_by("-sequence")
        return [
            DailyHead(days[e.sequence], e.sequence, e.hash, e.recorded_at)
            for e in entries.only("sequence", "hash", "recorded_at")
        ]

    def item_title(self, item: DailyHead) -> str:
        return _("Ledger head on %(day)s: %(sequence)s") % {
            "day": item.day.isoformat(),
            "sequence": item.sequence,
        }

    def item_description(self, item: DailyHead) -> str:
        return _("Sequence %(sequence)s, SHA-256 %(hash)s.") % {
            "sequence": item.sequence,
            "hash": item.hash,
        }

    def item_link(self, item: DailyHead) -> str:
        return reverse("tracker:data") + f"#head-{item.sequence}"

    def item_guid(self, item: DailyHead) -> str:
        return f"ledger-head-{item.day.isoformat()}-{item.sequence}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: DailyHead):
        return item.recorded_at

    def item_updateddate(self, item: DailyHead):
        return item.recorded_at
