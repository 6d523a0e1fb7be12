"""Each review-cycle rule is stated once (commitments.models) in two forms — SQL for lists and
figures, Python for one row — and every surface uses the same window. These tests hold the two
forms to the same answer on the boundary days."""

import datetime

import pytest
from django.test import override_settings

from commitments.models import Commitment, Status, due_soon_days
from commitments.reminders.schedule import ReminderWindows
from commitments.selectors import Urgency, commitments_for_states
from tests.factories import CommitmentFactory
from tracker.selectors import review_record

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def by_due_day(state_a):
    """One commitment per interesting review date (days from TODAY), plus one closed."""
    rows = {}
    for offset in (-30, -1, 0, 1, 13, 14, 15):
        commitment = CommitmentFactory(state=state_a, title=f"due {offset:+d}")
        Commitment.objects.filter(pk=commitment.pk).update(
            next_review_due=TODAY + datetime.timedelta(days=offset)
        )
        rows[offset] = commitment
    closed = CommitmentFactory(state=state_a, title="closed")
    Commitment.objects.filter(pk=closed.pk).update(next_review_due=None, status=Status.COMPLETE)
    rows["closed"] = closed
    withdrawn = CommitmentFactory(state=state_a, title="withdrawn")
    Commitment.objects.filter(pk=withdrawn.pk).update(next_review_due=None, status=Status.WITHDRAWN)
    rows["withdrawn"] = withdrawn
    for commitment in rows.values():
        commitment.refresh_from_db()
    return rows


@pytest.mark.parametrize(
    ("queryset_method", "row_method"),
    [
        ("overdue", "is_overdue"),
        ("on_time", "is_on_time"),
        ("due_soon", "is_due_soon"),
    ],
)
def test_the_sql_and_row_forms_of_a_rule_agree_on_every_boundary_day(
    by_due_day, queryset_method, row_method
):
    in_sql = set(getattr(Commitment.objects, queryset_method)(TODAY).values_list("pk", flat=True))
    in_python = {c.pk for c in by_due_day.values() if getattr(c, row_method)(TODAY)}
    assert in_sql == in_python


def test_overdue_starts_the_day_after_the_review_falls_due(by_due_day):
    overdue = set(Commitment.objects.overdue(TODAY).values_list("title", flat=True))
    assert overdue == {"due -30", "due -1"}


def test_due_soon_covers_today_to_the_window_end_inclusive(by_due_day):
    assert due_soon_days() == 14
    due_soon = set(Commitment.objects.due_soon(TODAY).values_list("title", flat=True))
    assert due_soon == {"due +0", "due +1", "due +13", "due +14"}


def test_active_means_not_withdrawn_in_both_forms(by_due_day):
    active = set(Commitment.objects.active().values_list("pk", flat=True))
    assert active == {c.pk for c in by_due_day.values() if c.is_active}
    assert by_due_day["withdrawn"].pk not in active
    assert by_due_day["closed"].pk in active  # a completed pledge is still a pledge


@override_settings(REMINDER_UPCOMING_DAYS=21)
def test_one_due_soon_window_for_the_workspace_the_public_figures_and_the_reminders(
    by_due_day, state_a
):
    """The window is REMINDER_UPCOMING_DAYS everywhere: changing it changes all three."""
    assert ReminderWindows.from_settings().upcoming_days == 21
    # Public figures (review record of a profile): +15 is now due soon too.
    record = review_record(Commitment.objects.all(), today=TODAY)
    assert record["due_soon"] == 5
    # The workspace's urgency.
    urgencies = {c.title: c.urgency for c in commitments_for_states([state_a.code], TODAY)}
    assert urgencies["due +15"] == Urgency.DUE_SOON
    assert urgencies["due -1"] == Urgency.OVERDUE
    assert urgencies["closed"] == Urgency.NONE_OWED


def test_review_record_counts_by_the_model_rules(by_due_day):
    record = review_record(Commitment.objects.all(), today=TODAY)
    assert record == {
        "total": 9,
        "closed": 2,
        "overdue": 2,
        "due_soon": 4,
        "on_time": 5,
        "not_reported": 7,
        "targets_moved": 0,
        "target_missed": 0,
        "independently_assessed": 0,
        "in_disagreement": 0,
    }


@pytest.mark.parametrize("days", [1, 2, 29, 30, 31])
def test_overdue_for_at_least_n_days_agrees_with_the_row_count_of_days(by_due_day, days):
    in_sql = set(Commitment.objects.overdue_for(TODAY, days).values_list("title", flat=True))
    in_python = {c.title for c in by_due_day.values() if c.days_overdue(TODAY) >= days}
    assert in_sql == in_python
    expected = {1: {"due -30", "due -1"}, 2: {"due -30"}, 29: {"due -30"}, 30: {"due -30"}}
    assert in_sql == expected.get(days, set())


def test_one_day_overdue_is_overdue(by_due_day):
    one_day = set(Commitment.objects.overdue_for(TODAY, 1).values_list("pk", flat=True))
    assert one_day == set(Commitment.objects.overdue(TODAY).values_list("pk", flat=True))


@pytest.fixture
def by_target_day(state_a):
    """Targets around TODAY, in open, complete and withdrawn commitments."""
    rows = {}
    cases = {
        "yesterday": (-1, Status.LIMITED),
        "today": (0, Status.LIMITED),
        "tomorrow": (1, Status.NOT_REPORTED),
        "long ago": (-400, Status.NOT_REPORTED),
        "complete late": (-10, Status.COMPLETE),
        "withdrawn late": (-10, Status.WITHDRAWN),
        "withdrawn early": (10, Status.WITHDRAWN),
    }
    for title, (offset, status) in cases.items():
        commitment = CommitmentFactory(
            state=state_a, title=title, pledged_on=TODAY - datetime.timedelta(days=500)
        )
        Commitment.objects.filter(pk=commitment.pk).update(
            target_date=TODAY + datetime.timedelta(days=offset), status=status
        )
        commitment.refresh_from_db()
        rows[title] = commitment
    rows["no target"] = CommitmentFactory(state=state_a, title="no target")
    return rows


def test_target_missed_from_the_day_after_the_target_unless_complete(by_target_day):
    missed = set(Commitment.objects.target_missed(TODAY).values_list("title", flat=True))
    assert missed == {"yesterday", "long ago", "withdrawn late"}
    assert missed == {c.title for c in by_target_day.values() if c.is_target_missed(TODAY)}
