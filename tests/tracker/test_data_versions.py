"""The data versions the database maintains on write (tracker/versions.py), and the API's
validators built on them: an ETag changes when — and only when — a table whose rows a list
shows (its own or related rows that appear in it) is written, by any path, in a transaction
that commits."""

import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.utils.http import http_date

from commitments.models import (
    Commitment,
    Evidence,
    PreventionStep,
    Reminder,
    RiskFactor,
    ScrutinyChannel,
)
from focalpoints.models import FocalPoint, MemberState
from focalpoints.tokens import api_token_issue
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
    UserFactory,
)
from tracker.api import views
from tracker.api.urls import router
from tracker.versions import installed_triggers, table_names, versions

API = "/api/v1/"


@pytest.fixture
def world(state_a, state_b, focal_point_a):
    step = PreventionStepFactory(code="N1")
    step.risk_factors.add(
        RiskFactor.objects.create(number=7, name="Risk", kind="common", crime="all")
    )
    commitment = CommitmentFactory(state=state_a, step=step)
    update = ProgressUpdateFactory(commitment=commitment)
    resolution = ResolutionFactory()
    resolution.states.add(state_a)
    focal_point = FocalPointFactory(state=state_a)
    return {
        "step": step,
        "commitment": commitment,
        "update": update,
        "resolution": resolution,
        "focal_point": focal_point,
    }


def etags(client, paths=None):
    paths = paths or [f"{prefix}/" for prefix, _viewset, _basename in router.registry]
    return {path: client.get(API + path)["ETag"] for path in paths}


def changed(client, before) -> set[str]:
    after = etags(client, list(before))
    return {path for path in before if after[path] != before[path]}


@pytest.mark.django_db
@pytest.mark.parametrize("viewset", [v for _p, v, _b in router.registry], ids=lambda v: v.__name__)
def test_every_table_a_list_shows_has_a_version_trigger(viewset):
    tables = table_names(*viewset.versioned)
    assert tables, "a list with no versioned table would never change its ETag"
    assert set(tables) <= installed_triggers()


def test_nothing_written_nothing_changed(client, world):
    before = etags(client)
    assert changed(client, before) == set()


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        # A State's regional group appears in each of its commitments and filters focal points.
        (
            lambda w: MemberState.objects.filter(code="GHA").update(regional_group="asia-pacific"),
            {"member-states/", "focal-points/", "commitments/"},
        ),
        # A step's code and level appear in each commitment (and its code in documented
        # practice).
        (
            lambda w: PreventionStep.objects.filter(pk=w["step"].pk).update(level="regional"),
            {"prevention-steps/", "commitments/", "risk-factors/", "documented-practice/"},
        ),
        # A risk factor's number appears in each step that addresses it (and filters
        # commitments by their step's factors).
        (
            lambda w: RiskFactor.objects.update(number=8),
            {"prevention-steps/", "risk-factors/", "commitments/"},
        ),
        # Many-to-many links are rows of their own tables.
        (
            lambda w: w["commitment"].channels.add(
                ScrutinyChannel.objects.create(code="upr", name="UPR", level="international")
            ),
            {"commitments/"},
        ),
        (lambda w: w["resolution"].states.clear(), {"resolutions/"}),
        (lambda w: w["commitment"].resolutions.add(w["resolution"]), {"commitments/"}),
        # Evidence appears inside its update (and the commitment's timeline).
        (
            lambda w: Evidence.objects.create(
                update=w["update"], kind="link", title="Report", url="https://example.org/r"
            ),
            {"progress-updates/", "commitments/"},
        ),
        # A focal point's end changes its State's has_focal_point.
        (
            lambda w: FocalPoint.objects.filter(pk=w["focal_point"].pk).update(
                ended_on=datetime.date(2025, 1, 1)
            ),
            {"focal-points/", "member-states/"},
        ),
    ],
    ids=[
        "state",
        "step",
        "risk-factor",
        "commitment-channel",
        "resolution-states",
        "commitment-resolutions",
        "evidence",
        "focal-point",
    ],
)
def test_a_write_changes_the_etag_of_exactly_the_lists_that_show_it(client, world, write, expected):
    before = etags(client)
    write(world)
    assert changed(client, before) == expected


def test_a_new_update_changes_updates_commitments_and_states(client, world):
    before = etags(client)
    ProgressUpdateFactory(commitment=world["commitment"])
    # Assessments show their commitment's (government's) current status beside their own.
    assert changed(client, before) == {
        "progress-updates/",
        "commitments/",
        "member-states/",
        "assessments/",
    }


def test_writes_to_tables_no_list_shows_change_no_etag(client, world, focal_point_a):
    before = etags(client)
    UserFactory(username="someone")
    api_token_issue(user=focal_point_a, name="another")
    Reminder.objects.create(
        commitment=world["commitment"],
        recipient=focal_point_a,
        recipient_email="fp_a@example.org",
        kind="due",
        due_on=datetime.date(2024, 1, 1),
        owed_on=datetime.date(2024, 1, 1),
    )
    assert changed(client, before) == set()


def test_a_rolled_back_write_changes_nothing(client, world):
    before = etags(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        Commitment.objects.update(title="Never committed")
        raise RuntimeError
    assert changed(client, before) == set()


def test_raw_sql_and_bulk_writes_are_seen(client, world):
    before = etags(client, ["commitments/"])
    table = Commitment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET title = 'Changed outside the ORM'")  # noqa: S608
    assert changed(client, before) == {"commitments/"}
    before = etags(client, ["commitments/"])
    Commitment.objects.bulk_update([world["commitment"]], ["title"])
    assert changed(client, before) == {"commitments/"}


def test_last_modified_is_the_latest_write_of_the_tables_shown(client, world):
    _key, last = versions(table_names(*views.CommitmentViewSet.versioned))
    response = client.get(API + "commitments/")
    assert response["Last-Modified"] == http_date(last.timestamp())
    _key, before = versions(table_names(*views.ResolutionViewSet.versioned))
    world["commitment"].save()
    _key, after = versions(table_names(*views.ResolutionViewSet.versioned))
    assert after == before  # a commitment is not shown by the resolutions list


def test_detail_etag_follows_the_same_versions(client, world):
    url = API + f"commitments/{world['commitment'].pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    ProgressUpdateFactory(commitment=world["commitment"])
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_deleted_row_is_404_not_304(client, world):
    resolution = ResolutionFactory()
    url = API + f"resolutions/{resolution.pk}/"
    etag = client.get(url)["ETag"]
    resolution.delete()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_state_figures_follow_every_change_and_the_day(client, world, state_a):
    def ghana():
        return client.get(API + "member-states/GHA/").json()

    before = ghana()
    CommitmentFactory(state=state_a, step=world["step"])
    after = ghana()
    assert after["commitments_total"] == before["commitments_total"] + 1
    assert after["last_changed"] > before["last_changed"]
    FocalPoint.objects.filter(pk=world["focal_point"].pk).update(ended_on=datetime.date(2025, 1, 1))
    assert ghana()["has_focal_point"] is False
    # Nothing written, a day later: reviews falling due are judged against the new day.
    dues = list(
        Commitment.objects.filter(state=state_a, next_review_due__isnull=False).values_list(
            "next_review_due", flat=True
        )
    )
    overdue_then = ghana()["overdue_reviews"]
    assert overdue_then < len(dues)
    with time_machine.travel(max(dues) + datetime.timedelta(days=2)):
        assert ghana()["overdue_reviews"] == len(dues)
