"""The daily reminder job end to end (without Celery): record before send, one digest per
recipient per day, exactly-once effect across repeats, crashes and SMTP failures."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Reminder, Status
from commitments.reminders.services import (
    reminder_digest_deliver,
    reminders_daily_job,
    reminders_fail_abandoned,
    reminders_record,
)
from commitments.services import progress_update_create
from tests.commitments.reminder_helpers import (
    TODAY,
    CrashingBackend,
    FlakySMTPBackend,
    WorkerKilled,
    commitment_due,
    recipients_of_outbox,
)
from tests.factories import MemberStateFactory, StateAccessFactory, UserFactory

Outcome = Reminder.Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 6, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ghana_due(state_a, focal_point_a, delegate_a):
    """Two Ghanaian commitments needing attention today: one due today, one a week late."""
    return [commitment_due(state_a, 0), commitment_due(state_a, -7)]


class TestOneDigestPerRecipientPerDay:
    def test_each_person_gets_one_digest_listing_every_commitment(self, ghana_due):
        reminders_daily_job(today=TODAY)
        assert recipients_of_outbox() == ["delegate_a@example.org", "fp_a@example.org"]
        for message in mail.outbox:
            for commitment in ghana_due:
                assert commitment.title in message.body
                update_url = reverse("workspace:update_create", kwargs={"pk": commitment.pk})
                assert f"http://127.0.0.1:8000{update_url}" in message.body

    def test_running_the_job_twice_the_same_day_sends_nothing_new(self, ghana_due):
        first = reminders_daily_job(today=TODAY)
        second = reminders_daily_job(today=TODAY)
        assert len(mail.outbox) == 2
        assert (first.record.newly_recorded, second.record.newly_recorded) == (4, 0)
        assert second.digests_sent == 0
        assert Reminder.objects.filter(outcome=Outcome.SENT).count() == 4

    def test_the_next_day_only_newly_owed_reminders_go_out(self, state_a, focal_point_a):
        commitment_due(state_a, 14)  # upcoming from today on
        reminders_daily_job(today=TODAY)
        reminders_daily_job(today=TODAY + datetime.timedelta(days=1))  # same stage: nothing
        assert len(mail.outbox) == 1
        reminders_daily_job(today=TODAY + datetime.timedelta(days=14))  # due day: a new stage
        assert len(mail.outbox) == 2
        assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["due", "upcoming"]

    def test_a_new_review_starts_a_new_cycle(self, state_a, focal_point_a):
        commitment = commitment_due(state_a, 0)
        reminders_daily_job(today=TODAY)
        progress_update_create(
            user=focal_point_a,
            commitment=commitment,
            reported_on=TODAY,
            status=Status.LIMITED,
            narrative="Reviewed: the plan is drafted.",
        )
        reminders_daily_job(today=TODAY)
        assert len(mail.outbox) == 1  # the new due date is 180 days away
        commitment.refresh_from_db()
        assert commitment.next_review_due == TODAY + datetime.timedelta(days=180)


class TestCrashesAndRetries:
    def test_failure_mid_run_then_retry_sends_each_digest_once(
        self, settings, state_a, state_b, focal_point_a, delegate_a, focal_point_b, secretariat
    ):
        commitment_due(state_a, 0)
        commitment_due(state_b, -30)  # Denmark: overdue and escalated to the secretariat
        settings.EMAIL_BACKEND = "tests.commitments.reminder_helpers.CrashingBackend"
        CrashingBackend.attempted, CrashingBackend.crash_on = 0, 3
        with pytest.raises(WorkerKilled):
            reminders_daily_job(today=TODAY)
        assert len(mail.outbox) == 2
        reminders_daily_job(today=TODAY)  # the retry
        assert recipients_of_outbox() == [
            "delegate_a@example.org",
            "fp_a@example.org",
            "fp_b@example.org",
            "secretariat@example.org",
        ]
        assert set(Reminder.objects.values_list("outcome", flat=True)) == {Outcome.SENT}

    def test_a_delivery_killed_after_the_handover_is_not_resent_but_failed_visibly(
        self, state_a, focal_point_a
    ):
        commitment_due(state_a, 0)
        reminders_record(today=TODAY)
        # The process claimed the row and died after the SMTP server took the message.
        now = datetime.datetime.now(datetime.UTC)
        Reminder.objects.update(outcome=Outcome.SENDING, claimed_at=now)
        reminders_daily_job(today=TODAY)
        assert mail.outbox == []
        later = datetime.datetime(2026, 6, 30, 7, 0, tzinfo=datetime.UTC)
        assert reminders_fail_abandoned(now=later) == 1
        row = Reminder.objects.get()
        assert row.outcome == Outcome.FAILED
        assert "may or may not have been sent" in row.error

    def test_a_second_delivery_of_the_same_digest_finds_nothing_to_send(
        self, state_a, focal_point_a
    ):
        commitment_due(state_a, 0)
        reminders_record(today=TODAY)
        first = reminder_digest_deliver(recipient_id=focal_point_a.pk, day=TODAY)
        again = reminder_digest_deliver(recipient_id=focal_point_a.pk, day=TODAY)
        assert (first.email_sent, again.email_sent) == (True, False)
        assert len(mail.outbox) == 1

    def test_smtp_errors_keep_the_reminder_pending_then_fail_it_after_the_last_try(
        self, settings, state_a, focal_point_a
    ):
        settings.EMAIL_BACKEND = "tests.commitments.reminder_helpers.FlakySMTPBackend"
        settings.REMINDER_MAX_ATTEMPTS = 3
        FlakySMTPBackend.attempted, FlakySMTPBackend.failures = 0, 99
        commitment_due(state_a, 0)
        first = reminders_daily_job(today=TODAY)
        row = Reminder.objects.get()
        assert first.digests_failed == 1
        assert (row.outcome, row.attempts) == (Outcome.PENDING, 1)
        assert "SMTPServerDisconnected" in row.error
        reminders_daily_job(today=TODAY)
        reminders_daily_job(today=TODAY)
        row.refresh_from_db()
        assert (row.outcome, row.attempts) == (Outcome.FAILED, 3)
        reminders_daily_job(today=TODAY)  # a failed reminder is not retried on its own
        assert FlakySMTPBackend.attempted == 3
        assert mail.outbox == []

    def test_an_smtp_error_followed_by_success_sends_once(self, settings, state_a, focal_point_a):
        settings.EMAIL_BACKEND = "tests.commitments.reminder_helpers.FlakySMTPBackend"
        FlakySMTPBackend.attempted, FlakySMTPBackend.failures = 0, 1
        commitment_due(state_a, 0)
        reminders_daily_job(today=TODAY)
        reminders_daily_job(today=TODAY)
        row = Reminder.objects.get()
        assert (row.outcome, row.attempts, row.error) == (Outcome.SENT, 2, "")
        assert len(mail.outbox) == 1


class TestStaleRowsAreSkipped:
    def test_a_review_logged_between_recording_and_delivery_cancels_the_reminder(
        self, state_a, focal_point_a
    ):
        commitment = commitment_due(state_a, 0)
        reminders_record(today=TODAY)
        progress_update_create(
            user=focal_point_a,
            commitment=commitment,
            reported_on=TODAY,
            status=Status.SUBSTANTIAL,
            narrative="Done the review.",
        )
        result = reminder_digest_deliver(recipient_id=focal_point_a.pk, day=TODAY)
        assert (result.email_sent, result.skipped) == (False, 1)
        assert Reminder.objects.get().outcome == Outcome.SKIPPED

    def test_opting_out_between_recording_and_delivery_is_honoured(self, state_a, focal_point_a):
        commitment_due(state_a, 0)
        reminders_record(today=TODAY)
        focal_point_a.reminders_opt_out = True
        focal_point_a.save(update_fields=["reminders_opt_out"])
        reminder_digest_deliver(recipient_id=focal_point_a.pk, day=TODAY)
        assert mail.outbox == []
        assert Reminder.objects.get().outcome == Outcome.SKIPPED

    def test_losing_access_to_the_state_stops_its_reminders(self, state_a, focal_point_a):
        commitment_due(state_a, 0)
        reminders_record(today=TODAY)
        focal_point_a.state_accesses.update(is_active=False)
        reminder_digest_deliver(recipient_id=focal_point_a.pk, day=TODAY)
        assert mail.outbox == []


class TestRecipients:
    def test_opted_out_people_are_not_recorded(self, state_a, focal_point_a, delegate_a):
        delegate_a.reminders_opt_out = True
        delegate_a.save(update_fields=["reminders_opt_out"])
        commitment_due(state_a, 0)
        reminders_daily_job(today=TODAY)
        assert recipients_of_outbox() == ["fp_a@example.org"]

    def test_escalation_goes_to_staff_and_the_secretariat_mailbox_once(
        self, settings, state_a, secretariat
    ):
        settings.SECRETARIAT_EMAIL = "r2p-secretariat@example.org"
        secretariat.reminders_opt_out = True  # cannot opt out of escalations
        secretariat.save(update_fields=["reminders_opt_out"])
        commitment_due(state_a, -31)
        reminders_daily_job(today=TODAY)
        reminders_daily_job(today=TODAY)
        assert recipients_of_outbox() == ["r2p-secretariat@example.org", "secretariat@example.org"]
        mailbox_row = Reminder.objects.get(recipient__isnull=True)
        assert (mailbox_row.kind, mailbox_row.outcome) == ("escalation", Outcome.SENT)
        assert "escalated to the secretariat" in mail.outbox[0].body

    def test_inactive_and_addressless_people_get_nothing(self, state_a):
        StateAccessFactory(user=UserFactory(username="gone", is_active=False), state=state_a)
        StateAccessFactory(user=UserFactory(username="noaddress", email=""), state=state_a)
        commitment_due(state_a, 0)
        reminders_daily_job(today=TODAY)
        assert mail.outbox == []


class TestDryRunAndCommand:
    def test_dry_run_counts_but_records_and_sends_nothing(self, ghana_due):
        result = reminders_daily_job(today=TODAY, dry_run=True)
        assert result.record.owed == 4
        assert result.record.owed_by_kind == {"due": 2, "overdue": 2}
        assert not Reminder.objects.exists()
        assert mail.outbox == []

    def test_command_runs_the_job_with_progress_output(self, ghana_due, capsys):
        call_command("send_reminders", "--today", "2026-06-30")
        out = capsys.readouterr().out
        assert "Review reminders for 2026-06-30" in out
        assert "batch 1: 2 commitments examined" in out
        assert "4 reminders owed (due 2, overdue 2)" in out
        assert "Digests sent: 2; failed" in out
        assert len(mail.outbox) == 2

    def test_command_dry_run(self, ghana_due, capsys):
        call_command("send_reminders", "--dry-run", "--today", "2026-06-30")
        assert "Dry run: nothing recorded or sent." in capsys.readouterr().out
        assert not Reminder.objects.exists()

    def test_command_rejects_a_malformed_date(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("send_reminders", "--today", "30/06/2026")


class TestQueryCounts:
    # Sizes stay under ~66 rows per batch: SQLite caps one statement at 999 parameters, so
    # Django splits a larger INSERT there (PostgreSQL takes a whole batch in one).
    def _populate(self, commitments: int, states: int, people: int = 1, prefix: str = "Q"):
        for index in range(states):
            code = f"{prefix}{chr(65 + index)}A"
            state = MemberStateFactory(code=code, name=f"Query State {code}")
            for role in ["focal-point", "delegate"][:people]:
                StateAccessFactory(state=state, role=role)
            for offset in range(commitments // states):
                commitment_due(state, [0, -7, -35, 3][offset % 4])
        UserFactory(username="staff-q", is_staff=True)

    def _record_queries(self, **kwargs) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            result = reminders_record(today=TODAY, **kwargs)
        return len(captured), result.owed

    @pytest.mark.parametrize("size", [4, 24])
    def test_recording_a_days_reminders_takes_the_same_queries_at_any_size(
        self, size, django_assert_max_num_queries
    ):
        self._populate(commitments=size, states=2, people=2)
        # 1 recipients by State, 1 staff for escalations, 1 count of today's rows before,
        # 1 read of the (single) batch of commitments, 1 INSERT ... ON CONFLICT DO NOTHING,
        # 1 count after.
        with django_assert_max_num_queries(6):
            result = reminders_record(today=TODAY)
        assert result.owed > size  # two people per State, plus escalations

    def test_two_data_sizes_need_exactly_the_same_queries(self):
        self._populate(commitments=4, states=2)
        small, small_owed = self._record_queries()
        Reminder.objects.all().delete()
        self._populate(commitments=39, states=3, prefix="R")
        large, large_owed = self._record_queries()
        assert large_owed > 5 * small_owed
        assert small == large

    def test_queries_grow_with_batches_not_rows(self):
        self._populate(commitments=40, states=2)
        one_batch, _ = self._record_queries(batch_size=1000)
        Reminder.objects.all().delete()
        four_batches, _ = self._record_queries(batch_size=10)
        # Four full batches: each a read and an insert; then one read that finds the end.
        assert four_batches == one_batch + 3 * 2 + 1
