"""Every commitment filter, declared once (``tracker.api.filters.CommitmentFilter``), against
hand-computed expectations on the five commitments of conftest.py — through the FilterSet on
its own, the API list and the public web list — including the boundary days of "overdue" and
"target missed", withdrawn and corrected commitments. Then the web list's facet counts."""

import pytest
from django.http import QueryDict

from commitments.models import Commitment
from tracker.api.filters import CommitmentFilter

CASES = [
    ("", "ABCDE"),
    ("basis=legal", "AD"),
    ("basis=political", "BE"),
    ("basis=moral", "C"),
    ("channel=upr", "ACE"),
    ("channel=parliament", "BC"),
    ("channel=courts", ""),
    ("source_kind=upr", "ACE"),
    ("source_kind=ga-dialogue", "B"),
    ("level=national", "ABCE"),
    ("level=intergovernmental", "D"),
    ("step=N2", "BC"),
    ("risk_factor=1", "BC"),
    ("risk_factor=2", ""),
    ("regional_group=african", "ABCD"),
    ("member_state=GHA", "AB"),
    ("member_state=gha,Ken", "ABCD"),
    ("member_state=DNK,GHA", "ABE"),
    ("status=limited", "AE"),  # E's corrected status, not the one it corrects
    ("status=substantial", ""),
    ("status=limited,complete", "ACE"),
    ("status=withdrawn", "D"),
    ("overdue=true", "AE"),  # A one day after its due date; B is due today
    ("overdue=false", "BCD"),
    ("days_overdue_min=1", "AE"),
    ("days_overdue_min=2", "E"),
    ("days_overdue_min=30", "E"),
    ("days_overdue_min=31", ""),
    ("target_missed=true", "AD"),  # B's target is today; C is complete; D withdrawn
    ("target_missed=false", "BCE"),
    ("pledged_from=2024-12-31&pledged_until=2025-03-01", "BE"),  # both ends included
    ("pledged_from=2025-03-02", "C"),
    ("pledged_until=2024-01-10", "AD"),
    ("reported_from=2025-12-02", "ACE"),
    ("reported_until=2025-12-02", "DE"),  # never reported (B) is not "before"
    ("has_evidence=true", "A"),
    ("has_evidence=false", "BCDE"),
    ("is_demo=true", "E"),
    ("is_demo=false", "ABCD"),
    ("basis=legal&overdue=true", "A"),
    ("channel=upr&target_missed=false&member_state=ken,dnk", "CE"),
    ("status=&basis=&overdue=", "ABCDE"),  # empty means no filter
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_filterset_on_its_own(five, query, expected):
    filterset = CommitmentFilter(QueryDict(query), queryset=Commitment.objects.all())
    assert filterset.is_valid(), filterset.errors
    assert sorted(c.title for c in filterset.qs) == list(expected)


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_api_list(client, five, query, expected):
    response = client.get(f"/api/v1/commitments/?{query}&page_size=50")
    assert response.status_code == 200, response.content
    by_id = {c.pk: title for title, c in five.items()}
    assert sorted(by_id[row["id"]] for row in response.json()["results"]) == list(expected)


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_web_list(client, five, query, expected):
    response = client.get(f"/commitments/?{query}")
    assert response.status_code == 200
    assert sorted(c.title for c in response.context["page"].object_list) == list(expected)


@pytest.mark.parametrize(
    "query",
    [
        "member_state=GH",
        "member_state=GHA,",
        "status=done",
        "basis=customary",
        "days_overdue_min=0",
        "risk_factor=x",
        "target_missed=maybe",
        "pledged_from=2025-13-01",
    ],
)
def test_api_refuses_a_bad_value_naming_the_filter(client, five, query):
    response = client.get(f"/api/v1/commitments/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_web_list_reports_a_bad_value_and_applies_the_others(client, five):
    response = client.get("/commitments/?basis=customary&member_state=GHA")
    assert response.status_code == 200
    assert response.context["filterset"].form.errors["basis"]
    assert sorted(c.title for c in response.context["page"].object_list) == ["A", "B"]


# --- Facet counts -----------------------------------------------------------------------------


def facet(response, name):
    (found,) = [f for f in response.context["facets"] if f["name"] == name]
    return {option["value"]: option["count"] for option in found["options"]}


def test_facets_count_each_option_with_the_other_filters_applied(client, five):
    response = client.get("/commitments/?basis=legal")
    # The basis facet ignores the basis filter itself: it shows what each choice would give.
    assert facet(response, "basis") == {"legal": 2, "political": 2, "moral": 1}
    # The others count within the legal commitments (A and D).
    assert facet(response, "status")["limited"] == 1
    assert facet(response, "status")["withdrawn"] == 1
    assert facet(response, "status")["complete"] == 0
    assert facet(response, "regional_group")["african"] == 2
    assert facet(response, "source_kind") == {
        "ga-dialogue": 0,
        "upr": 1,
        "hrc-statement": 1,
        "national-action-plan": 0,
        "network-meeting": 0,
        "regional-body": 0,
        "other": 0,
    }
    assert facet(response, "level") == {"national": 1, "intergovernmental": 1, "un-system": 0}
    assert facet(response, "channel") == {"parliament": 0, "upr": 1}
    assert facet(response, "risk_factor") == {"1": 0, "2": 0}
    assert facet(response, "overdue") == {"true": 1, "false": 1}
    assert facet(response, "target_missed") == {"true": 2, "false": 0}
    assert facet(response, "has_evidence") == {"true": 1, "false": 1}
    assert facet(response, "is_demo") == {"true": 0, "false": 2}


def test_facets_without_filters_count_everything(client, five):
    response = client.get("/commitments/")
    assert facet(response, "channel") == {"parliament": 2, "upr": 3}
    assert facet(response, "risk_factor") == {"1": 2, "2": 0}
    assert facet(response, "status")["limited"] == 2
    assert facet(response, "overdue") == {"true": 2, "false": 3}


def test_a_facet_option_links_to_the_filtered_list_with_the_same_count(client, five):
    response = client.get("/commitments/?basis=legal")
    for found in response.context["facets"]:
        for option in found["options"]:
            listed = client.get("/commitments/" + option["url"])
            assert listed.context["page"].paginator.count == option["count"], option


def test_an_old_state_bookmark_is_redirected_to_the_filter_it_meant(client, five):
    # Before issue 12 the web list took ?state=GHA; it is now member_state, and an old bookmark
    # must not silently list every State.
    response = client.get("/commitments/?state=gha&status=limited")
    assert response.status_code == 301
    assert response["Location"] == "/commitments/?status=limited&member_state=gha"
    followed = client.get(response["Location"])
    assert [c.title for c in followed.context["page"].object_list] == ["A"]


def test_an_old_state_parameter_does_not_override_the_new_one(client, five):
    response = client.get("/commitments/?state=KEN&member_state=GHA")
    assert response["Location"] == "/commitments/?member_state=GHA"
