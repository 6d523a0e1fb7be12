"""The secretariat's reminder log, the signed preferences page, and the focal point's list
of reminders sent."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from commitments.models import Reminder
from commitments.reminders.services import reminder_preferences_token, reminders_daily_job
from commitments.selectors import reminders_sent_to
from tests.commitments.reminder_helpers import TODAY, commitment_due

Outcome = Reminder.Outcome
STAFF_URL = "/my/reminders/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 6, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def reminder_log(state_a, state_b, focal_point_a, focal_point_b, secretariat):
    """One sent digest (Ghana), one pending (Denmark, never delivered), one failed."""
    commitment_due(state_a, 0, title="Ghana review")
    reminders_daily_job(today=TODAY)
    denmark = commitment_due(state_b, -7, title="Denmark review")
    Reminder.objects.create(
        commitment=denmark,
        recipient=focal_point_b,
        recipient_email=focal_point_b.email,
        kind=Reminder.Kind.OVERDUE,
        due_on=denmark.next_review_due,
        sequence=1,
        owed_on=TODAY,
    )
    Reminder.objects.create(
        commitment=denmark,
        recipient=secretariat,
        recipient_email=secretariat.email,
        kind=Reminder.Kind.ESCALATION,
        due_on=denmark.next_review_due,
        owed_on=TODAY,
        outcome=Outcome.FAILED,
        attempts=6,
        error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    mail.outbox.clear()


def log_in(client, user):
    client.force_login(user)


class TestStaffReminderLog:
    def test_anonymous_visitor_is_sent_to_log_in(self, client):
        response = client.get(STAFF_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_focal_point_is_refused(self, client, focal_point_a):
        log_in(client, focal_point_a)
        assert client.get(STAFF_URL).status_code == 403

    def test_secretariat_sees_owed_failed_and_sent(self, client, secretariat, reminder_log):
        log_in(client, secretariat)
        owed = client.get(STAFF_URL).content.decode()
        assert "Denmark review" in owed and "Ghana review" not in owed
        failed = client.get(STAFF_URL, {"outcome": "failed"}).content.decode()
        assert "SMTPServerDisconnected" in failed
        sent = client.get(STAFF_URL, {"outcome": "sent"}).content.decode()
        assert "Ghana review" in sent and "fp_a@example.org" in sent

    def test_reminder_log_query_count_does_not_grow_with_rows(
        self, client, secretariat, reminder_log, state_a, django_assert_max_num_queries
    ):
        for offset in range(1, 12):
            commitment_due(state_a, -offset)
        reminders_daily_job(today=TODAY)
        assert Reminder.objects.filter(outcome=Outcome.SENT).count() > 10
        log_in(client, secretariat)
        client.get(STAFF_URL)  # the demo-data notice flag (3 queries) is cached from now on
        # 1 session, 1 user, 1 count of the tab's rows (paginator), 1 count per outcome (tabs),
        # 1 page of rows with commitment, State and recipient joined.
        with django_assert_max_num_queries(5):
            response = client.get(STAFF_URL, {"outcome": "sent"})
        assert response.status_code == 200

    def test_secretariat_can_send_failed_reminders_again(
        self, client, secretariat, reminder_log, django_capture_on_commit_callbacks
    ):
        failed = Reminder.objects.get(outcome=Outcome.FAILED)
        log_in(client, secretariat)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("workspace:staff_reminders_retry"), {"reminder": [failed.pk]}
            )
        assert response.status_code == 302
        failed.refresh_from_db()
        assert failed.outcome == Outcome.SENT
        assert [m.to for m in mail.outbox] == [["secretariat@example.org"]]

    def test_focal_point_cannot_resend(self, client, focal_point_a, reminder_log):
        failed = Reminder.objects.get(outcome=Outcome.FAILED)
        log_in(client, focal_point_a)
        response = client.post(reverse("workspace:staff_reminders_retry"), {"reminder": failed.pk})
        assert response.status_code == 403
        failed.refresh_from_db()
        assert failed.outcome == Outcome.FAILED


class TestPreferencesPage:
    def url(self, user):
        token = reminder_preferences_token(user)
        return reverse("workspace:reminder_preferences", kwargs={"token": token})

    def test_signed_link_opens_without_log_in_and_changes_nothing(self, client, focal_point_a):
        response = client.get(self.url(focal_point_a))
        assert response.status_code == 200
        assert b"Stop review reminders" in response.content
        focal_point_a.refresh_from_db()
        assert focal_point_a.reminders_opt_out is False

    def test_one_click_stop(self, client, focal_point_a):
        response = client.post(
            self.url(focal_point_a), {"reminders": "stop", "preferred_language": "en"}
        )
        assert response.status_code == 200
        assert b"You will no longer receive review reminders." in response.content
        focal_point_a.refresh_from_db()
        assert focal_point_a.reminders_opt_out is True

    def test_rfc8058_one_click_unsubscribe_post(self, client, focal_point_a):
        response = client.post(self.url(focal_point_a), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        focal_point_a.refresh_from_db()
        assert focal_point_a.reminders_opt_out is True

    def test_opt_back_in_and_change_language(self, client, focal_point_a):
        focal_point_a.reminders_opt_out = True
        focal_point_a.save(update_fields=["reminders_opt_out"])
        response = client.post(
            self.url(focal_point_a), {"reminders": "receive", "preferred_language": "ar"}
        )
        assert response.status_code == 200
        assert b'dir="rtl"' in response.content  # the answer is in the chosen language
        focal_point_a.refresh_from_db()
        assert (focal_point_a.reminders_opt_out, focal_point_a.preferred_language) == (False, "ar")

    def test_invalid_choice_is_explained_and_changes_nothing(self, client, focal_point_a):
        response = client.post(
            self.url(focal_point_a), {"reminders": "sometimes", "preferred_language": "xx"}
        )
        assert response.status_code == 200
        assert b"error-summary" in response.content
        focal_point_a.refresh_from_db()
        assert (focal_point_a.reminders_opt_out, focal_point_a.preferred_language) == (False, "en")

    def test_page_speaks_the_persons_language(self, client, focal_point_a):
        focal_point_a.preferred_language = "ar"
        focal_point_a.save(update_fields=["preferred_language"])
        response = client.get(self.url(focal_point_a))
        assert b'<html lang="ar" dir="rtl">' in response.content

    def test_forged_link_is_refused(self, client, focal_point_a):
        url = self.url(focal_point_a)
        forged = url.replace(url.split("/")[-2], url.split("/")[-2][:-3] + "abc")
        response = client.post(forged, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404
        focal_point_a.refresh_from_db()
        assert focal_point_a.reminders_opt_out is False

    def test_a_link_for_one_person_cannot_change_another(
        self, client, focal_point_a, focal_point_b
    ):
        client.post(self.url(focal_point_a), {"List-Unsubscribe": "One-Click"})
        focal_point_b.refresh_from_db()
        assert focal_point_b.reminders_opt_out is False


class TestRemindersSentToFocalPoint:
    def test_lists_only_the_persons_sent_reminders(
        self, focal_point_a, focal_point_b, reminder_log, django_assert_num_queries
    ):
        with django_assert_num_queries(1):  # reminders joined with commitment and State
            mine = list(reminders_sent_to(focal_point_a))
        assert [r.commitment.title for r in mine] == ["Ghana review"]
        assert list(reminders_sent_to(focal_point_b)) == []  # pending is not "sent"

    def test_snippet_renders_the_list_and_an_empty_state(self, focal_point_a, focal_point_b):
        commitment_due(focal_point_a.state_accesses.get().state, 0, title="Ghana review")
        reminders_daily_job(today=TODAY)
        html = render_to_string(
            "workspace/snippets/reminders_sent.html",
            {"reminders": reminders_sent_to(focal_point_a)},
        )
        assert "Ghana review" in html and "Review due today" in html
        empty = render_to_string(
            "workspace/snippets/reminders_sent.html",
            {"reminders": reminders_sent_to(focal_point_b)},
        )
        assert "No reminders have been sent to you yet." in empty
