"""Follow and be told, in the domain: double opt-in, signed links, what each follower is owed
(per followed kind and per frequency), exactly-once delivery, and bounded query counts."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from commitments.follows import services
from commitments.follows.models import Follow, Follower, FollowNotice
from commitments.follows.services import CONFIRM, MANAGE
from commitments.models import Status
from commitments.services import commitment_refresh_derived
from tests.commitments.follow_helpers import follower, job_day, outbox_to
from tests.commitments.reminder_helpers import FlakySMTPBackend, commitment_due
from tests.factories import (
    CommitmentFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_day_is_weekly(settings):
    """Unless a test says otherwise, the job runs on the weekly day (both frequencies)."""
    settings.FOLLOW_WEEKLY_WEEKDAY = job_day().weekday()


def run(day=None):
    return services.follows_daily_job(today=day or job_day())


# --- Double opt-in ------------------------------------------------------------------------------


def test_a_follow_request_is_inactive_until_confirmed(commitment_a):
    result = services.follow_request(email=" Reader@Example.org ", commitment=commitment_a)
    person = Follower.objects.get()
    assert person.email == "reader@example.org"
    assert result.send_confirmation
    follow = Follow.objects.get()
    assert follow.confirmed_at is None and person.confirmed_at is None
    ProgressUpdateFactory(commitment=commitment_a)
    run()
    assert mail.outbox == [] and not FollowNotice.objects.exists()

    assert services.follows_confirm(follower=person, follow_ids=[follow.pk]) == 1
    person.refresh_from_db()
    assert person.confirmed_at is not None
    # Told of what happens after confirming, not before.
    ProgressUpdateFactory(commitment=commitment_a)
    run()
    assert outbox_to() == ["reader@example.org"]
    assert FollowNotice.objects.get().outcome == "sent"


def test_at_most_one_confirmation_a_day_to_an_unconfirmed_address(commitment_a, state_a):
    now = timezone.now()
    first = services.follow_request(email="a@example.org", commitment=commitment_a, now=now)
    again = services.follow_request(email="a@example.org", state=state_a, now=now)
    later = services.follow_request(
        email="a@example.org",
        state=state_a,
        now=now + datetime.timedelta(hours=23, minutes=59),
    )
    next_day = services.follow_request(
        email="a@example.org", state=state_a, now=now + datetime.timedelta(hours=24)
    )
    assert [first.send_confirmation, again.send_confirmation, later.send_confirmation] == [
        True,
        False,
        False,
    ]
    assert next_day.send_confirmation
    assert Follow.objects.count() == 2


def test_the_confirmation_lists_every_pending_follow_and_carries_unsubscribe_headers(
    commitment_a, state_a
):
    services.follow_request(email="a@example.org", commitment=commitment_a)
    services.follow_request(email="a@example.org", state=state_a)
    assert services.follow_confirmation_send(Follower.objects.get().pk)
    (message,) = mail.outbox
    assert commitment_a.title in message.body and "Ghana" in message.body
    assert "/follow/confirm/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/follow/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_a_failed_confirmation_clears_the_daily_stamp(settings, commitment_a):
    settings.EMAIL_BACKEND = "tests.commitments.reminder_helpers.FlakySMTPBackend"
    FlakySMTPBackend.failures, FlakySMTPBackend.attempted = 1, 0
    result = services.follow_request(email="a@example.org", commitment=commitment_a)
    with pytest.raises(Exception, match="unexpectedly closed"):
        services.follow_confirmation_send(result.follower_id)
    assert Follower.objects.get().confirmation_sent_at is None
    assert services.follow_request(email="a@example.org", commitment=commitment_a).send_confirmation


def test_a_confirmed_follow_asked_again_sends_nothing(commitment_a):
    follower(commitment=commitment_a)
    assert not services.follow_request(
        email="reader@example.org", commitment=commitment_a
    ).send_confirmation


def test_an_unconfirmed_address_takes_the_latest_choices_a_confirmed_one_keeps_its_own(
    commitment_a, state_a
):
    services.follow_request(email="a@example.org", commitment=commitment_a, frequency="daily")
    services.follow_request(email="a@example.org", state=state_a, frequency="weekly", language="fr")
    assert Follower.objects.values_list("frequency", "language").get() == ("weekly", "fr")
    person = follower(frequency="daily", commitment=commitment_a)
    services.follow_request(email=person.email, state=state_a, frequency="weekly", language="ar")
    person.refresh_from_db()
    assert (person.frequency, person.language) == ("daily", "en")


# --- Signed links -------------------------------------------------------------------------------


def test_signed_links_are_refused_when_tampered_with_or_for_another_purpose(commitment_a):
    person = follower(commitment=commitment_a)
    other = follower("other@example.org", commitment=commitment_a)
    token = services.follower_token(person, MANAGE)
    assert services.follower_from_token(token, MANAGE) == person
    assert services.follower_from_token(token, CONFIRM) is None
    assert (
        services.follower_from_token(token[:-1] + ("A" if token[-1] != "A" else "B"), MANAGE)
        is None
    )
    # Another follower's id with this signature: the secret differs.
    forged = f"{other.pk}" + token[len(str(person.pk)) :]
    assert services.follower_from_token(forged, MANAGE) is None
    assert services.follower_from_token("garbage", MANAGE) is None
    assert services.follower_from_token("", MANAGE) is None


def test_confirmation_links_expire(settings, commitment_a):
    person = follower(commitment=commitment_a)
    token = services.follower_token(person, CONFIRM)
    settings.FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS = 0
    assert services.follower_from_token(token, CONFIRM) is None
    settings.FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS = 7
    assert services.follower_from_token(token, CONFIRM) == person


def test_a_new_secret_revokes_a_followers_links(commitment_a):
    person = follower(commitment=commitment_a)
    token = services.follower_token(person, MANAGE)
    Follower.objects.filter(pk=person.pk).update(secret="rotated")
    assert services.follower_from_token(token, MANAGE) is None


# --- What each follower is told -----------------------------------------------------------------


def test_each_followed_kind_reaches_its_own_commitments_only():
    ghana = MemberStateFactory(code="GHA", name="Ghana")
    kenya = MemberStateFactory(code="KEN", name="Kenya")
    step = PreventionStepFactory(code="N1", title="National risk assessment")
    gh_step = CommitmentFactory(state=ghana, step=step, title="Ghana on N1")
    gh_other = CommitmentFactory(state=ghana, title="Ghana elsewhere")
    ke_step = CommitmentFactory(state=kenya, step=step, title="Kenya on N1")
    ke_other = CommitmentFactory(state=kenya, title="Kenya elsewhere")
    by_state = follower("state@example.org", state=ghana)
    by_step = follower("step@example.org", step=step)
    by_commitment = follower("one@example.org", commitment=ke_other)
    for commitment in (gh_step, gh_other, ke_step, ke_other):
        ProgressUpdateFactory(commitment=commitment)
    run()
    told = {
        person.email: sorted(
            FollowNotice.objects.filter(follower=person).values_list("commitment__title", flat=True)
        )
        for person in (by_state, by_step, by_commitment)
    }
    assert told == {
        "state@example.org": ["Ghana elsewhere", "Ghana on N1"],
        "step@example.org": ["Ghana on N1", "Kenya on N1"],
        "one@example.org": ["Kenya elsewhere"],
    }
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Kenya" not in bodies["state@example.org"]
    assert "Ghana elsewhere" not in bodies["step@example.org"]


def test_an_event_reached_twice_is_told_once(state_a, commitment_a):
    follower(state=state_a, commitment=commitment_a, step=commitment_a.step)
    ProgressUpdateFactory(commitment=commitment_a)
    run()
    assert FollowNotice.objects.count() == 1
    assert len(mail.outbox) == 1 and "1 new item" in mail.outbox[0].subject


def test_updates_and_corrections_are_told_with_their_status_and_link(commitment_a):
    follower(commitment=commitment_a)
    update = ProgressUpdateFactory(commitment=commitment_a, status=Status.LIMITED)
    correction = ProgressUpdateFactory(
        commitment=commitment_a, status=Status.SUBSTANTIAL, corrects=update
    )
    run()
    kinds = sorted(FollowNotice.objects.values_list("kind", "object_id"))
    assert kinds == [("correction", correction.pk), ("update", update.pk)]
    (message,) = mail.outbox
    assert "Limited progress" in message.body and "Substantial progress" in message.body
    assert f"/commitments/{commitment_a.pk}/#update-{correction.pk}" in message.body
    html = message.alternatives[0][0]
    assert f"#update-{update.pk}" in html
    # The shared e-mail layout carries the follower's own links in its footer.
    assert "/follow/unsubscribe/" in html and "/follow/manage/" in html


def test_published_assessments_and_replies_are_told_never_submitted_or_rejected(commitment_a):
    from commitments.models import Moderation
    from tests.factories import AssessmentFactory, AssessmentReplyFactory, OrganisationFactory

    follower(commitment=commitment_a, language="fr")
    watch = OrganisationFactory(name="Watch International")
    published = AssessmentFactory(
        commitment=commitment_a, organisation=watch, status=Status.NOT_STARTED
    )
    reply = AssessmentReplyFactory(assessment=published, text="We disagree.")
    submitted = AssessmentFactory(
        commitment=commitment_a,
        organisation=OrganisationFactory(name="Hidden Draft Org"),
        moderation=Moderation.SUBMITTED,
    )
    AssessmentFactory(
        commitment=commitment_a,
        organisation=OrganisationFactory(name="Rejected Org"),
        moderation=Moderation.REJECTED,
        published_at=timezone.now(),  # even if a timestamp were set, rejected is never told
    )
    AssessmentFactory(  # a private draft (D-10-60) is never told either
        commitment=commitment_a,
        organisation=OrganisationFactory(name="Draft Only Org"),
        moderation=Moderation.DRAFT,
        narrative="SENTINEL-DRAFT-IN-DIGEST",
    )
    run()
    assert sorted(FollowNotice.objects.values_list("kind", "object_id")) == [
        ("assessment", published.pk),
        ("reply", reply.pk),
    ]
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Watch International" in text
        assert "Hidden Draft Org" not in text and "Rejected Org" not in text
        assert "Draft Only Org" not in text and "SENTINEL-DRAFT-IN-DIGEST" not in text
    with translation.override("fr"):
        french = str(Status.NOT_STARTED.label)
    assert french != "Not started" and french in message.body  # in the follower's language
    assert f"#assessment-{published.pk}" in message.body
    assert f"#reply-{reply.pk}" in message.body
    assert submitted.pk not in FollowNotice.objects.values_list("object_id", flat=True)


def test_a_review_that_became_overdue_in_the_period_is_told_once(state_a):
    day = job_day()
    newly = commitment_due(state_a, -1, today=day, title="Newly overdue")
    commitment_due(state_a, -30, today=day, title="Long overdue")
    commitment_due(state_a, 0, today=day, title="Due today")
    follower(state=state_a)
    run(day)
    (notice,) = FollowNotice.objects.all()
    assert (notice.kind, notice.commitment_id, notice.due_on) == (
        "overdue",
        newly.pk,
        newly.next_review_due,
    )
    assert "Newly overdue" in mail.outbox[0].body
    # The next day: the newly overdue one is not told again; the one due "today" now is late.
    run(day + datetime.timedelta(days=1))
    assert FollowNotice.objects.filter(commitment=newly).count() == 1
    assert len(mail.outbox) == 2
    assert "Due today" in mail.outbox[1].body and "Newly overdue" not in mail.outbox[1].body


def test_an_overdue_notice_is_skipped_when_the_review_was_made_before_sending(settings, state_a):
    day = job_day()
    commitment = commitment_due(state_a, -1, today=day)
    person = follower(state=state_a)
    services.follow_notices_record(today=day)
    ProgressUpdateFactory(commitment=commitment, reported_on=day)
    commitment_refresh_derived(commitment)
    result = services.follow_digest_deliver(follower_id=person.pk, day=day)
    assert (result.sent, result.skipped, mail.outbox) == (0, 1, [])


def test_nothing_from_before_the_follow_is_told(commitment_a):
    ProgressUpdateFactory(commitment=commitment_a)
    person = follower(commitment=commitment_a)
    Follow.objects.update(confirmed_at=timezone.now() + datetime.timedelta(seconds=1))
    Follower.objects.filter(pk=person.pk).update(confirmed_at=timezone.now())
    run()
    assert not FollowNotice.objects.exists()


def test_daily_followers_get_theirs_every_day_weekly_ones_on_the_weekly_day(settings, commitment_a):
    day = job_day()
    settings.FOLLOW_WEEKLY_WEEKDAY = (day.weekday() + 1) % 7
    follower("daily@example.org", frequency="daily", commitment=commitment_a)
    follower("weekly@example.org", frequency="weekly", commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    run(day)
    assert outbox_to() == ["daily@example.org"]
    assert FollowNotice.objects.filter(outcome="pending").count() == 1  # the weekly one waits
    run(day + datetime.timedelta(days=1))  # the weekly day
    assert outbox_to() == ["daily@example.org", "weekly@example.org"]
    assert "weekly digest" in mail.outbox[1].body
    assert "daily digest" in mail.outbox[0].body


def test_a_missed_weekly_run_is_caught_up_after_a_week(settings, commitment_a):
    day = job_day()
    settings.FOLLOW_WEEKLY_WEEKDAY = (day.weekday() + 3) % 7
    follower("weekly@example.org", frequency="weekly", commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    services.follow_notices_record(today=day)
    # The weekly day (day + 3) passes without a run; a week after recording, any run sends.
    run(day + datetime.timedelta(days=6))
    assert mail.outbox == []
    run(day + datetime.timedelta(days=7))
    assert outbox_to() == ["weekly@example.org"]


def test_the_digest_is_in_the_followers_language_right_to_left_for_arabic(commitment_a):
    follower("ar@example.org", language="ar", commitment=commitment_a)
    follower("fr@example.org", language="fr", commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    run()
    by_to = {message.to[0]: message for message in mail.outbox}
    arabic_html = by_to["ar@example.org"].alternatives[0][0]
    assert 'lang="ar" dir="rtl"' in arabic_html
    assert 'lang="fr" dir="ltr"' in by_to["fr@example.org"].alternatives[0][0]
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.extra_headers["List-Unsubscribe"].startswith("<http")


# --- Exactly once -------------------------------------------------------------------------------


def test_running_the_job_twice_sends_nothing_new(commitment_a):
    follower(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    first = run()
    second = run()
    assert (first.record.newly_recorded, second.record.newly_recorded) == (1, 0)
    assert (first.digests_sent, second.digests_sent) == (1, 0)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_without_duplicates_then_failed_after_the_last_try(
    settings, commitment_a
):
    settings.EMAIL_BACKEND = "tests.commitments.reminder_helpers.FlakySMTPBackend"
    settings.REMINDER_MAX_ATTEMPTS = 2
    FlakySMTPBackend.failures, FlakySMTPBackend.attempted = 1, 0
    follower(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    first = run()
    assert first.digests_failed == 1 and mail.outbox == []
    notice = FollowNotice.objects.get()
    assert (notice.outcome, notice.attempts) == (
        "pending",
        1,
    ) and "unexpectedly closed" in notice.error
    second = run()
    assert second.digests_sent == 1 and len(mail.outbox) == 1
    FlakySMTPBackend.failures, FlakySMTPBackend.attempted = 5, 0
    ProgressUpdateFactory(commitment=commitment_a)
    run()
    run()
    assert sorted(FollowNotice.objects.values_list("outcome", flat=True)) == ["failed", "sent"]


def test_abandoned_claims_are_failed_not_resent(commitment_a):
    person = follower(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    services.follow_notices_record(today=job_day())
    FollowNotice.objects.update(
        outcome="sending", claimed_at=timezone.now() - datetime.timedelta(hours=2)
    )
    result = run()
    assert result.abandoned_failed == 1 and mail.outbox == []
    assert FollowNotice.objects.get(follower=person).outcome == "failed"


def test_unsubscribing_skips_what_was_recorded_and_ends_every_follow(commitment_a, state_a):
    person = follower(commitment=commitment_a, state=state_a)
    ProgressUpdateFactory(commitment=commitment_a)
    services.follow_notices_record(today=job_day())
    services.follower_unsubscribe(follower=person)
    run()
    assert mail.outbox == [] and not Follow.objects.exists()
    assert FollowNotice.objects.get().outcome == "skipped"


def test_unfollowing_an_item_skips_its_recorded_notices(commitment_a, commitment_b):
    person = follower(commitment=[commitment_a, commitment_b])
    ProgressUpdateFactory(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_b)
    services.follow_notices_record(today=job_day())
    services.follow_remove(
        follower=person, follow_id=Follow.objects.get(commitment=commitment_a).pk
    )
    result = services.follow_digest_deliver(follower_id=person.pk, day=job_day())
    assert (result.sent, result.skipped) == (1, 1)
    assert commitment_b.title in mail.outbox[0].body
    assert commitment_a.title not in mail.outbox[0].body


# --- Query counts -------------------------------------------------------------------------------


def _world(followers: int, commitments: int):
    state = MemberStateFactory(code="GHA", name="Ghana")
    step = PreventionStepFactory(code="N1")
    rows = [CommitmentFactory(state=state, step=step) for _ in range(commitments)]
    for row in rows:
        ProgressUpdateFactory(commitment=row)
        ProgressUpdateFactory(commitment=row, status=Status.SUBSTANTIAL)
    people = [
        follower(f"p{n}@example.org", state=state, step=step, commitment=rows[n % commitments])
        for n in range(followers)
    ]
    return people


@pytest.mark.parametrize(("followers", "commitments"), [(2, 2), (12, 8)])
def test_recording_takes_the_same_queries_whatever_the_size(
    django_assert_max_num_queries, followers, commitments
):
    _world(followers, commitments)
    # The period's events: 1 updates, 1 overdue reviews, 1 assessments, 1 replies; then
    # 1 active follows, 1 count before, 1 insert, 1 count after.
    with django_assert_max_num_queries(8):
        result = services.follow_notices_record(today=job_day())
    assert result.newly_recorded == followers * commitments * 2


@pytest.mark.parametrize(("followers", "commitments"), [(1, 1), (1, 10)])
def test_a_digest_takes_the_same_queries_whatever_its_length(
    django_assert_max_num_queries, followers, commitments
):
    (person,) = _world(followers, commitments)
    services.follow_notices_record(today=job_day())
    # 1 claim, 1 claimed rows with follower, commitment and State, 1 the follower's follows,
    # 1 the updates described, 1 mark sent.
    with django_assert_max_num_queries(5):
        result = services.follow_digest_deliver(follower_id=person.pk, day=job_day())
    assert result.sent == commitments * 2 and len(mail.outbox) == 1


@pytest.mark.parametrize("followers", [2, 10])
def test_the_whole_job_grows_by_a_fixed_number_of_queries_per_follower(
    django_assert_max_num_queries, followers
):
    _world(followers, 4)
    # 1 abandoned claims, 8 recording (above), 1 followers due, 5 per digest (above), plus
    # the job's transaction savepoint.
    with django_assert_max_num_queries(1 + 8 + 1 + 5 * followers + 2):
        result = run()
    assert result.digests_sent == followers


# --- The command --------------------------------------------------------------------------------


def test_the_command_runs_the_job_with_progress(capsys, commitment_a):
    follower(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    call_command("send_follow_digests", "--dry-run", "--today", job_day().isoformat())
    out = capsys.readouterr().out
    assert "1 notices owed (update 1)" in out and "Dry run" in out and mail.outbox == []
    call_command("send_follow_digests", "--today", job_day().isoformat())
    out = capsys.readouterr().out
    assert "1 newly recorded" in out and "Digests sent: 1" in out
    assert len(mail.outbox) == 1


def test_the_command_names_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_follow_digests", "--today", "30/06/2026")


def test_confirming_ignores_other_followers_follows_and_resubscribes_only_with_a_follow(
    commitment_a, state_a
):
    mine = follower(commitment=commitment_a)
    services.follower_unsubscribe(follower=mine)
    theirs = Follower.objects.create(email="other@example.org")
    their_follow = Follow.objects.create(follower=theirs, state=state_a)
    assert services.follows_confirm(follower=mine, follow_ids=[their_follow.pk]) == 0
    mine.refresh_from_db()
    their_follow.refresh_from_db()
    assert mine.unsubscribed_at is not None and their_follow.confirmed_at is None
    services.follow_request(email=mine.email, state=state_a)
    pending = Follow.objects.get(follower=mine)
    assert services.follows_confirm(follower=mine, follow_ids=[pending.pk]) == 1
    mine.refresh_from_db()
    assert mine.unsubscribed_at is None


# --- Celery -------------------------------------------------------------------------------------


def test_beat_runs_the_follow_job_daily_and_the_tasks_are_registered(settings):
    from celery.schedules import crontab

    from commitments.follows import tasks
    from config.celery import app

    beat = app.conf.beat_schedule["send-follow-digests"]
    assert beat["task"] == tasks.send_follow_digests.name
    assert isinstance(beat["schedule"], crontab) and beat["schedule"].day_of_week == set(range(7))
    app.loader.import_default_modules()
    for task in (tasks.send_follow_digests, tasks.deliver_follow_digest):
        assert task.name in app.tasks
        assert task.acks_late is True and task.reject_on_worker_lost is True
    assert tasks.deliver_follow_digest.max_retries == settings.REMINDER_MAX_ATTEMPTS - 1


def test_the_beat_task_enqueues_one_delivery_per_follower_after_commit(
    commitment_a, django_capture_on_commit_callbacks
):
    from commitments.follows import tasks

    follower("one@example.org", commitment=commitment_a)
    follower("two@example.org", commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = tasks.send_follow_digests.delay(job_day().isoformat()).get()
    assert result["digests_enqueued"] == 2 and len(callbacks) == 2
    assert outbox_to() == ["one@example.org", "two@example.org"]
