"""Atom feeds of progress updates: all of them, one State's, one commitment's. Corrections are
items of their own, titled as corrections. No author is named (accounts are private)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from commitments.models import Commitment, ProgressUpdate
from focalpoints.models import MemberState

FEED_LENGTH = 50


def _updates():
    return ProgressUpdate.objects.select_related("commitment__state").order_by("-created_at", "-id")


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
        return _updates()[:FEED_LENGTH]

    def item_title(self, item: ProgressUpdate) -> str:
        values = {
            "state": item.commitment.state.display_name,
            "title": item.commitment.title,
            "status": item.get_status_display(),
        }
        if item.is_correction:
            return _("Correction — %(state)s: %(title)s (%(status)s)") % values
        return _("%(state)s: %(title)s (%(status)s)") % values

    def item_description(self, item: ProgressUpdate) -> str:
        text = item.narrative
        if item.is_correction:
            text = _("This update corrects an earlier one, which stays published.") + "\n\n" + text
        if item.is_demo:
            text = _("Demonstration data: fictional, not to be cited.") + "\n\n" + text
        return text

    def item_link(self, item: ProgressUpdate) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: ProgressUpdate) -> str:
        return f"update-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: ProgressUpdate):
        return item.created_at

    def item_updateddate(self, item: ProgressUpdate):
        return item.created_at

    def item_categories(self, item: ProgressUpdate):
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
        return _updates().filter(commitment__state=obj)[:FEED_LENGTH]


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
        return _updates().filter(commitment=obj)[:FEED_LENGTH]
