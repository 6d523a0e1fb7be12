"""Invariants the database itself enforces for States and focal points."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from focalpoints.models import FocalPoint, MemberState, StateAccess
from tests.factories import FocalPointFactory, MemberStateFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_state_can_have_only_one_current_focal_point(state_a):
    FocalPointFactory(state=state_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        FocalPoint.objects.create(state=state_a, office="Second office")


def test_history_of_appointments_is_kept_when_one_ends_and_the_next_starts(state_a):
    first = FocalPointFactory(state=state_a, appointed_on=datetime.date(2015, 1, 1))
    first.ended_on = datetime.date(2020, 1, 1)
    first.save()
    FocalPointFactory(state=state_a, appointed_on=datetime.date(2020, 1, 2))

    assert FocalPoint.objects.filter(state=state_a).count() == 2
    assert FocalPoint.objects.current().get(state=state_a).appointed_on.year == 2020


def test_an_appointment_cannot_end_before_it_starts(state_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        FocalPointFactory(
            state=state_a,
            appointed_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2019, 1, 1),
        )


def test_state_codes_must_be_three_capital_letters():
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberStateFactory(code="gh")


def test_a_member_state_must_have_a_regional_group():
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberStateFactory(code="XYZ", regional_group="")


def test_a_user_has_one_role_per_state(state_a):
    user = UserFactory()
    StateAccess.objects.create(user=user, state=state_a, role=StateAccess.Role.FOCAL_POINT)

    with pytest.raises(IntegrityError), transaction.atomic():
        StateAccess.objects.create(user=user, state=state_a, role=StateAccess.Role.DELEGATE)


def test_history_records_who_changed_a_state_and_what(state_a, secretariat):
    state_a._history_user = secretariat
    state_a.official_name = "Republic of Ghana"
    state_a.save()

    latest = state_a.history.first()
    assert latest.history_user == secretariat
    assert latest.official_name == "Republic of Ghana"
    delta = latest.diff_against(latest.prev_record)
    assert [change.field for change in delta.changes] == ["official_name"]


def test_history_records_the_author_of_a_focal_point_change(state_a, secretariat):
    appointment = FocalPointFactory(state=state_a)
    appointment._history_user = secretariat
    appointment.ended_on = datetime.date(2025, 1, 1)
    appointment.save()

    assert appointment.history.first().history_user == secretariat
    assert appointment.history.count() == 2


def test_the_member_state_list_excludes_observers_and_organisations():
    MemberStateFactory(code="GHA")
    MemberStateFactory(code="VAT", kind=MemberState.Kind.OBSERVER, regional_group="")
    MemberStateFactory(code="EUU", kind=MemberState.Kind.REGIONAL_ORGANISATION, regional_group="")

    assert list(MemberState.objects.un_members().values_list("code", flat=True)) == ["GHA"]


def test_the_users_time_zone_is_active_for_the_request_only(client, focal_point_a):
    from django.utils import timezone

    focal_point_a.time_zone = "Pacific/Auckland"
    focal_point_a.save()
    client.force_login(focal_point_a)

    response = client.get("/my/")
    assert response.status_code == 200
    assert response.context["TIME_ZONE"] == "Pacific/Auckland"
    assert timezone.get_current_timezone_name() == "UTC"


def test_reviews_are_judged_by_the_site_date_whatever_zone_is_active(settings):
    import datetime
    import zoneinfo

    import time_machine
    from django.utils import timezone

    from commitments.selectors import review_today

    settings.TIME_ZONE = "UTC"
    late_evening_utc = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    with (
        time_machine.travel(late_evening_utc),
        timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")),
    ):
        assert timezone.localdate() == datetime.date(2026, 3, 2)
        assert review_today() == datetime.date(2026, 3, 1)
