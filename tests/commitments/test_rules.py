"""How status is derived from updates and when the next review falls due."""

import datetime
from dataclasses import dataclass

from commitments.models import Status
from commitments.rules import derive_status, next_review_due

T0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


@dataclass
class U:
    id: int
    reported_on: datetime.date
    status: str
    corrects_id: int | None = None
    created_at: datetime.datetime = T0


def d(day: int) -> datetime.date:
    return datetime.date(2025, 1, 1) + datetime.timedelta(days=day)


def test_no_update_means_not_yet_reported():
    derived = derive_status([])
    assert derived.status == Status.NOT_REPORTED
    assert derived.latest_update_id is None


def test_the_latest_update_by_reporting_date_sets_the_status():
    derived = derive_status([U(2, d(10), Status.SUBSTANTIAL), U(1, d(20), Status.LIMITED)])
    assert (derived.status, derived.latest_update_id, derived.last_reported_on) == (
        Status.LIMITED,
        1,
        d(20),
    )


def test_a_correction_replaces_the_update_it_corrects():
    updates = [
        U(1, d(10), Status.LIMITED),
        U(2, d(20), Status.COMPLETE),
        U(3, d(20), Status.SUBSTANTIAL, corrects_id=2),
    ]
    assert derive_status(updates).status == Status.SUBSTANTIAL
    assert derive_status(updates).latest_update_id == 3


def test_correcting_an_old_update_does_not_override_a_newer_one():
    updates = [
        U(1, d(10), Status.LIMITED),
        U(2, d(30), Status.SUBSTANTIAL),
        U(3, d(10), Status.NOT_STARTED, corrects_id=1),
    ]
    assert derive_status(updates).status == Status.SUBSTANTIAL


def test_a_corrected_correction_counts_the_last_link_of_the_chain():
    updates = [
        U(1, d(10), Status.COMPLETE),
        U(2, d(10), Status.LIMITED, corrects_id=1),
        U(3, d(10), Status.SUBSTANTIAL, corrects_id=2),
    ]
    assert derive_status(updates).status == Status.SUBSTANTIAL


def test_same_reporting_date_is_broken_by_publication_time():
    later = T0 + datetime.timedelta(hours=1)
    updates = [U(5, d(10), Status.LIMITED, created_at=later), U(6, d(10), Status.COMPLETE)]
    assert derive_status(updates).status == Status.LIMITED


def test_correcting_the_only_update_into_withdrawn_closes_the_commitment():
    updates = [U(1, d(10), Status.LIMITED), U(2, d(10), Status.WITHDRAWN, corrects_id=1)]
    assert derive_status(updates).status == Status.WITHDRAWN


def test_next_review_is_one_interval_after_the_latest_update():
    due = next_review_due(
        status=Status.LIMITED, pledged_on=d(0), last_reported_on=d(40), review_interval_days=90
    )
    assert due == d(130)


def test_next_review_is_one_interval_after_the_pledge_when_nothing_was_reported():
    due = next_review_due(
        status=Status.NOT_REPORTED, pledged_on=d(0), last_reported_on=None, review_interval_days=30
    )
    assert due == d(30)


def test_completed_and_withdrawn_commitments_owe_no_review():
    for status in (Status.COMPLETE, Status.WITHDRAWN):
        assert (
            next_review_due(
                status=status, pledged_on=d(0), last_reported_on=d(5), review_interval_days=30
            )
            is None
        )


def test_review_interval_crosses_a_leap_day():
    due = next_review_due(
        status=Status.LIMITED,
        pledged_on=datetime.date(2028, 1, 1),
        last_reported_on=datetime.date(2028, 2, 28),
        review_interval_days=2,
    )
    assert due == datetime.date(2028, 3, 1)
