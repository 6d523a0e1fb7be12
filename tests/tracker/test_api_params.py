"""Query-parameter discipline on every API list: an unknown parameter is a 400 naming it and
listing the valid ones; an empty parameter means "no filter"; ``/api/v1/`` is an index."""

import pytest

from commitments.models import RiskFactor
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)

API = "/api/v1/"
# Every list, and a filter each one has (sent empty, it must be ignored).
LISTS = {
    "member-states/": "regional_group",
    "focal-points/": "member_state",
    "resolutions/": "body",
    "prevention-steps/": "level",
    "risk-factors/": "step",
    "commitments/": "status",
    "progress-updates/": "commitment",
    "stats/": "regional_group",
}


@pytest.fixture
def rows(state_a, state_b):
    step = PreventionStepFactory(code="N2")
    step.risk_factors.add(RiskFactor.objects.create(number=1, name="Armed conflict", kind="common"))
    FocalPointFactory(state=state_a)
    ResolutionFactory()
    commitment = CommitmentFactory(state=state_a, step=step)
    ProgressUpdateFactory(commitment=commitment)
    CommitmentFactory(state=state_b)


@pytest.mark.parametrize("path", LISTS)
def test_unknown_parameter_is_a_400_naming_it_and_the_valid_ones(client, rows, path):
    response = client.get(f"{API}{path}?stauts=complete")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["stauts"]
    assert "stauts" in body["detail"]
    # The valid parameters are listed, the endpoint's own filter among them.
    assert LISTS[path] in body["errors"]["stauts"][0]
    assert "format" in body["detail"]
    if path != "stats/":
        for name in ("page", "page_size", "ordering", "updated_since"):
            assert name in body["detail"], name


@pytest.mark.parametrize("path", LISTS)
def test_empty_parameter_means_no_filter(client, rows, path):
    everything = client.get(f"{API}{path}")
    empty = client.get(f"{API}{path}?{LISTS[path]}=")
    assert empty.status_code == 200, empty.content
    if path == "stats/":
        assert empty.json()["by_status"] == everything.json()["by_status"]
    else:
        assert empty.json()["count"] == everything.json()["count"] > 0


def test_empty_ordering_means_the_default_order(client, rows):
    default = client.get(f"{API}commitments/").json()
    empty = client.get(f"{API}commitments/?ordering=&status=&member_state=").json()
    assert [r["id"] for r in empty["results"]] == [r["id"] for r in default["results"]]


def test_several_unknown_parameters_are_all_named(client, rows):
    body = client.get(f"{API}commitments/?basis_of=legal&state=GHA").json()
    assert sorted(body["errors"]) == ["basis_of", "state"]


def test_known_parameters_still_validate(client, rows):
    response = client.get(f"{API}commitments/?status=finished")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_search_is_known_only_where_the_list_searches(client, rows):
    assert client.get(f"{API}commitments/?search=x").status_code == 200
    response = client.get(f"{API}stats/?search=x")
    assert response.status_code == 400
    assert "search" in response.json()["errors"]


def test_a_detail_refuses_unknown_parameters_too(client, state_a):
    MemberStateFactory(code="KEN", name="Kenya")
    assert client.get(f"{API}member-states/KEN/").status_code == 200
    assert client.get(f"{API}member-states/KEN/?fields=name").status_code == 400


def test_index_lists_every_resource_with_its_docs(client, db):
    response = client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "v1"
    assert body["schema"].endswith("/api/schema/?format=json")
    names = [resource["name"] for resource in body["resources"]]
    assert names == [
        "member-states",
        "focal-points",
        "resolutions",
        "prevention-steps",
        "risk-factors",
        "commitments",
        "progress-updates",
        "organisations",
        "assessments",
        "stats",
    ]
    for resource in body["resources"]:
        assert resource["docs"].endswith(f"/api/docs/#/{resource['name']}")
        assert client.get(resource["url"]).status_code == 200, resource["url"]


def test_index_refuses_unknown_parameters(client, db):
    response = client.get(f"{API}?page=2")
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_schema_documents_the_unknown_parameter_400(client, db):
    schema = client.get("/api/schema/?format=json").json()
    for path in LISTS:
        responses = schema["paths"][f"{API}{path}"]["get"]["responses"]
        assert "Unknown query parameters" in responses["400"]["description"]
    assert "/api/v1/" in schema["paths"]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("focal-points/", "member_state"),
        ("resolutions/", "member_states"),
        ("progress-updates/", "member_state"),
        ("commitments/", "member_state"),
    ],
)
def test_every_list_takes_several_states_in_any_case(client, rows, state_a, state_b, path, key):
    from tests.factories import FocalPointFactory, ResolutionFactory

    FocalPointFactory(state=state_b)
    ResolutionFactory().states.add(state_a)
    ResolutionFactory().states.add(state_a, state_b)
    ResolutionFactory().states.add(state_b)
    ProgressUpdateFactory(commitment=CommitmentFactory(state=state_b))

    def codes(query):
        body = client.get(f"{API}{path}?{query}&page_size=100").json()
        found = set()
        for row in body["results"]:
            value = row[key]
            found.update(value if isinstance(value, list) else [value])
        return found, body["count"]

    both, count_both = codes("member_state=gha,Dnk")
    ghana, count_ghana = codes("member_state=GHA")
    assert {"GHA", "DNK"} <= both
    assert "DNK" not in ghana or path == "resolutions/"  # a resolution may concern both
    assert count_both > count_ghana > 0
