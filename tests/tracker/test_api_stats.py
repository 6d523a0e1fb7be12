"""/api/v1/stats/: the dashboard's figures, served from tracker.stats (not recomputed)."""

import datetime

import pytest

from tests.factories import CommitmentFactory, FocalPointFactory, ProgressUpdateFactory
from tracker import stats


@pytest.fixture
def figures(state_a, state_b):
    FocalPointFactory(state=state_a)
    ProgressUpdateFactory(commitment=CommitmentFactory(state=state_a), status="complete")
    CommitmentFactory(state=state_b, pledged_on=datetime.date(2020, 1, 1))


def test_stats_are_the_dashboard_figures(client, figures):
    body = client.get("/api/v1/stats/").json()
    dashboard = stats.dashboard()
    assert body["coverage"]["with_focal_point"] == dashboard["coverage"]["with_focal_point"] == 1
    assert body["by_status"] == dashboard["by_status"]
    assert body["by_level"] == dashboard["by_level"]
    assert body["overdue"]["count"] == dashboard["overdue"]["count"] == 1
    assert body["overdue"]["states"][0]["code"] == "DNK"
    groups = {g["slug"]: g["by_status"]["total"] for g in body["by_regional_group"]}
    assert groups["african"] == 1 and groups["western-european-others"] == 1


def test_stats_for_one_regional_group(client, figures):
    body = client.get("/api/v1/stats/?regional_group=african").json()
    assert body["regional_group"] == "african"
    assert body["by_status"]["total"] == 1
    assert body["overdue"]["count"] == 0


def test_stats_refuse_an_unknown_group(client, figures):
    response = client.get("/api/v1/stats/?regional_group=atlantis")
    assert response.status_code == 400
    assert "regional_group" in response.json()["errors"]


def test_stats_answer_304_until_data_changes(client, figures, state_a):
    etag = client.get("/api/v1/stats/")["ETag"]
    assert client.get("/api/v1/stats/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    CommitmentFactory(state=state_a)
    assert client.get("/api/v1/stats/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_stats_not_modified_costs_one_query(client, figures, django_assert_num_queries):
    etag = client.get("/api/v1/stats/")["ETag"]
    # (1) tracker.stats.data_version: nothing is computed
    with django_assert_num_queries(1):
        assert client.get("/api/v1/stats/", HTTP_IF_NONE_MATCH=etag).status_code == 304
