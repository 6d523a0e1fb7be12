"""The owed-reminder function: pure, so every boundary day is a plain assertion."""

import dataclasses
import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from commitments.models import Reminder, Status
from commitments.reminders.schedule import (
    CommitmentFacts,
    Recipient,
    ReminderWindows,
    owed_window_end,
    reminders_owed,
)
from commitments.rules import derive_status
from commitments.selectors import review_today

WINDOWS = ReminderWindows(upcoming_days=14, overdue_every_days=7, escalation_days=30)
DUE = datetime.date(2026, 6, 30)
FOCAL = Recipient(user_id=1, email="fp@example.org")
DELEGATE = Recipient(user_id=2, email="delegate@example.org")
OPTED_OUT = Recipient(user_id=3, email="quiet@example.org", opted_out=True)
STAFF = Recipient(user_id=9, email="staff@example.org")
MAILBOX = Recipient(user_id=None, email="secretariat@example.org")


def facts(*, due=DUE, status=Status.LIMITED, interval=180, state="GHA", pk=1, **extra):
    """A commitment last reported one interval before ``due``."""
    return CommitmentFacts(
        id=pk,
        state_id=state,
        status=status,
        pledged_on=due - datetime.timedelta(days=interval + 30),
        last_reported_on=due - datetime.timedelta(days=interval),
        review_interval_days=interval,
        **extra,
    )


def owed(commitments, today, *, windows=WINDOWS, people=(FOCAL,), secretariat=(STAFF,)):
    return reminders_owed(
        commitments,
        today=today,
        windows=windows,
        state_recipients={"GHA": list(people)},
        secretariat=list(secretariat),
    )


def stages(today, windows=WINDOWS, **kwargs):
    """(kind, sequence, recipient email) owed for the standard commitment on ``today``."""
    return sorted(
        (r.kind, r.sequence, r.recipient_email)
        for r in owed([facts(**kwargs)], today=today, windows=windows)
    )


def day(offset: int) -> datetime.date:
    return DUE + datetime.timedelta(days=offset)


class TestBeforeTheDueDate:
    def test_nothing_is_owed_15_days_before(self):
        assert stages(day(-15)) == []

    def test_upcoming_reminder_is_owed_14_days_before(self):
        assert stages(day(-14)) == [("upcoming", 0, FOCAL.email)]

    def test_upcoming_stays_owed_13_days_before_so_a_missed_run_is_caught_up(self):
        # Same (kind, sequence, due date) as the day before: the unique constraint sends it once.
        assert stages(day(-13)) == [("upcoming", 0, FOCAL.email)]

    def test_upcoming_is_owed_the_day_before(self):
        assert stages(day(-1)) == [("upcoming", 0, FOCAL.email)]

    def test_window_end_covers_exactly_the_upcoming_window(self):
        assert owed_window_end(day(-14), WINDOWS) == DUE
        assert owed_window_end(day(-15), WINDOWS) < DUE


class TestOnAndAfterTheDueDate:
    def test_due_reminder_on_the_due_date(self):
        assert stages(day(0)) == [("due", 0, FOCAL.email)]

    def test_due_reminder_still_owed_6_days_after(self):
        assert stages(day(6)) == [("due", 0, FOCAL.email)]

    def test_first_weekly_overdue_reminder_7_days_after(self):
        assert stages(day(7)) == [("overdue", 1, FOCAL.email)]

    def test_8_days_after_is_still_week_one(self):
        assert stages(day(8)) == [("overdue", 1, FOCAL.email)]

    def test_week_two_starts_14_days_after(self):
        assert stages(day(13)) == [("overdue", 1, FOCAL.email)]
        assert stages(day(14)) == [("overdue", 2, FOCAL.email)]

    def test_no_escalation_29_days_overdue(self):
        assert stages(day(29)) == [("overdue", 4, FOCAL.email)]

    def test_escalation_to_the_secretariat_at_30_days_overdue(self):
        assert stages(day(30)) == [("escalation", 0, STAFF.email), ("overdue", 4, FOCAL.email)]

    def test_escalation_keeps_the_same_identity_31_days_overdue(self):
        assert stages(day(31)) == [("escalation", 0, STAFF.email), ("overdue", 4, FOCAL.email)]

    def test_overdue_reminders_go_on_weekly_for_as_long_as_no_review_is_logged(self):
        assert ("overdue", 52, FOCAL.email) in stages(day(364))


class TestClosedCommitments:
    @pytest.mark.parametrize("status", [Status.COMPLETE, Status.WITHDRAWN])
    def test_closed_commitments_owe_nothing_on_any_day(self, status):
        for offset in (-14, 0, 7, 30, 365):
            assert stages(day(offset), status=status) == []

    def test_not_yet_reported_commitment_is_due_one_interval_after_the_pledge(self):
        pledged = datetime.date(2026, 1, 1)
        never_reported = CommitmentFacts(
            id=1,
            state_id="GHA",
            status=Status.NOT_REPORTED,
            pledged_on=pledged,
            last_reported_on=None,
            review_interval_days=90,
        )
        result = owed([never_reported], today=pledged + datetime.timedelta(days=90))
        assert [(r.kind, r.due_on) for r in result] == [
            ("due", pledged + datetime.timedelta(days=90))
        ]


class TestRecipients:
    def test_focal_point_and_delegates_each_get_one(self):
        result = owed([facts()], today=day(0), people=(FOCAL, DELEGATE))
        assert sorted(r.recipient_id for r in result) == [1, 2]

    def test_people_who_opted_out_get_nothing(self):
        result = owed([facts()], today=day(0), people=(FOCAL, OPTED_OUT))
        assert [r.recipient_id for r in result] == [1]

    def test_escalation_ignores_opt_out(self):
        staff_opted_out = Recipient(user_id=9, email="staff@example.org", opted_out=True)
        result = owed([facts()], today=day(30), people=(), secretariat=(staff_opted_out,))
        assert [(r.kind, r.recipient_id) for r in result] == [("escalation", 9)]

    def test_escalation_can_go_to_the_shared_mailbox(self):
        result = owed([facts()], today=day(30), people=(), secretariat=(MAILBOX,))
        assert [(r.kind, r.recipient_id, r.recipient_email) for r in result] == [
            ("escalation", None, "secretariat@example.org")
        ]

    def test_commitment_of_a_state_without_users_owes_only_the_escalation(self):
        result = owed([facts(state="DNK")], today=day(30))
        assert [r.kind for r in result] == ["escalation"]

    def test_rows_carry_the_commitments_demo_flag(self):
        result = owed([facts(is_demo=True)], today=day(0))
        assert result[0].is_demo is True


class TestSettingsShapeTheSchedule:
    def test_windows_come_from_settings(self):
        with override_settings(
            REMINDER_UPCOMING_DAYS=3, REMINDER_OVERDUE_EVERY_DAYS=2, REMINDER_ESCALATION_DAYS=5
        ):
            windows = ReminderWindows.from_settings()
        assert windows == ReminderWindows(3, 2, 5)
        assert stages(day(-4), windows=windows) == []
        assert stages(day(-3), windows=windows) == [("upcoming", 0, FOCAL.email)]
        assert stages(day(2), windows=windows) == [("overdue", 1, FOCAL.email)]
        assert stages(day(5), windows=windows)[0] == ("escalation", 0, STAFF.email)


def stages_with(windows, today):
    return sorted((r.kind, r.sequence) for r in owed([facts()], today=today, windows=windows))


def test_stages_with_custom_windows():
    windows = ReminderWindows(upcoming_days=1, overdue_every_days=10, escalation_days=10)
    assert stages_with(windows, day(-2)) == []
    assert stages_with(windows, day(9)) == [("due", 0)]
    assert stages_with(windows, day(10)) == [("escalation", 0), ("overdue", 1)]


class TestCorrectedUpdates:
    def _update(self, pk, reported_on, corrects=None):
        return SimpleNamespace(
            id=pk,
            reported_on=reported_on,
            created_at=datetime.datetime(2026, 1, pk, tzinfo=datetime.UTC),
            status=Status.LIMITED,
            corrects_id=corrects,
        )

    def test_a_correction_of_the_reporting_date_moves_the_due_date(self):
        # The original update said 1 March; its correction says 1 February (a typo fixed).
        updates = [
            self._update(1, datetime.date(2026, 3, 1)),
            self._update(2, datetime.date(2026, 2, 1), corrects=1),
        ]
        derived = derive_status(updates)
        corrected = CommitmentFacts(
            id=1,
            state_id="GHA",
            status=derived.status,
            pledged_on=datetime.date(2025, 1, 1),
            last_reported_on=derived.last_reported_on,
            review_interval_days=30,
        )
        assert corrected.due_on == datetime.date(2026, 3, 3)
        result = owed([corrected], today=datetime.date(2026, 3, 3))
        assert [(r.kind, r.due_on) for r in result] == [("due", datetime.date(2026, 3, 3))]
        # Judged by the superseded update nothing would be owed yet: it was due on 31 March.
        superseded = dataclasses.replace(corrected, last_reported_on=datetime.date(2026, 3, 1))
        assert owed([superseded], today=datetime.date(2026, 3, 3)) == []

    def test_a_correction_that_closes_the_commitment_stops_reminders(self):
        updates = [self._update(1, datetime.date(2026, 3, 1))]
        updates.append(
            SimpleNamespace(
                id=2,
                reported_on=datetime.date(2026, 3, 1),
                created_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
                status=Status.COMPLETE,
                corrects_id=1,
            )
        )
        derived = derive_status(updates)
        closed = CommitmentFacts(
            id=1,
            state_id="GHA",
            status=derived.status,
            pledged_on=datetime.date(2025, 1, 1),
            last_reported_on=derived.last_reported_on,
            review_interval_days=30,
        )
        assert owed([closed], today=datetime.date(2026, 3, 31)) == []


class TestLeapDays:
    def test_review_due_on_29_february(self):
        leap_due = datetime.date(2028, 2, 29)
        assert stages(datetime.date(2028, 2, 15), due=leap_due) == [("upcoming", 0, FOCAL.email)]
        assert stages(datetime.date(2028, 2, 14), due=leap_due) == []
        assert stages(leap_due, due=leap_due) == [("due", 0, FOCAL.email)]
        assert stages(datetime.date(2028, 3, 7), due=leap_due) == [("overdue", 1, FOCAL.email)]
        assert stages(datetime.date(2028, 3, 30), due=leap_due)[0][0] == "escalation"
        assert stages(datetime.date(2028, 3, 29), due=leap_due)[0][0] == "overdue"

    def test_interval_counted_in_days_across_a_leap_february(self):
        commitment = CommitmentFacts(
            id=1,
            state_id="GHA",
            status=Status.LIMITED,
            pledged_on=datetime.date(2027, 1, 1),
            last_reported_on=datetime.date(2028, 2, 1),
            review_interval_days=30,
        )
        assert commitment.due_on == datetime.date(2028, 3, 2)  # 29 days of February count


class TestTimeZones:
    """The job judges "today" in the site's time zone (TIME_ZONE), not UTC."""

    @pytest.fixture(autouse=True)
    def _site_zone(self):
        timezone.deactivate()  # a request earlier in this thread may have activated a user's
        yield

    @override_settings(TIME_ZONE="Pacific/Auckland")
    def test_today_is_already_the_due_date_east_of_utc(self):
        with time_machine.travel(datetime.datetime(2026, 6, 29, 13, 0, tzinfo=datetime.UTC)):
            today = review_today()  # 01:00 on 30 June in Auckland
        assert today == DUE
        assert stages(today) == [("due", 0, FOCAL.email)]

    @override_settings(TIME_ZONE="America/Los_Angeles")
    def test_today_is_still_the_day_before_west_of_utc(self):
        with time_machine.travel(datetime.datetime(2026, 6, 30, 5, 0, tzinfo=datetime.UTC)):
            today = review_today()  # 22:00 on 29 June in Los Angeles
        assert today == day(-1)
        assert stages(today) == [("upcoming", 0, FOCAL.email)]

    @override_settings(TIME_ZONE="Europe/Paris")
    def test_a_daylight_saving_change_neither_skips_nor_repeats_a_day(self):
        paris = zoneinfo.ZoneInfo("Europe/Paris")
        days = []
        for local_day in (28, 29, 30):  # clocks go forward early on 29 March 2026
            instant = datetime.datetime(2026, 3, local_day, 6, 0, tzinfo=paris)
            with time_machine.travel(instant):
                days.append(review_today())
        assert days == [datetime.date(2026, 3, d) for d in (28, 29, 30)]


def test_key_matches_the_database_unique_constraints():
    (person,) = owed([facts()], today=day(0))
    (mailbox,) = owed([facts()], today=day(30), people=(), secretariat=(MAILBOX,))
    assert person.key == (1, 1, DUE, "due", 0)
    assert mailbox.key == ("secretariat@example.org", 1, DUE, "escalation", 0)
    constraint_fields = {c.name: c.fields for c in Reminder._meta.constraints}
    assert constraint_fields["reminder_once_per_recipient_commitment_due_kind"] == (
        "recipient",
        "commitment",
        "due_on",
        "kind",
        "sequence",
    )
