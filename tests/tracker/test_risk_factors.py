"""Risk-factor pages: what the factor is, the steps that address it (only where linked), the
commitments under them and their status; the list; 404s; pinned queries."""

import pytest

from commitments.models import RiskFactor
from tests.factories import CommitmentFactory, PreventionStepFactory, ProgressUpdateFactory


@pytest.fixture
def factors(state_a, state_b):
    conflict = RiskFactor.objects.create(
        number=1,
        name="Situations of armed conflict",
        kind="common",
        crime="all atrocity crimes",
        summary="A State under stress.",
        verification="inferred",
        source="https://example.org/framework",
    )
    RiskFactor.objects.create(number=2, name="Record of violations", kind="common")
    linked = PreventionStepFactory(code="N2", title="Assess national atrocity risk")
    linked.risk_factors.add(conflict)
    unlinked = PreventionStepFactory(code="N9")
    reported = CommitmentFactory(state=state_a, step=linked, title="Risk assessment (Ghana)")
    ProgressUpdateFactory(commitment=reported, status="substantial")
    CommitmentFactory(state=state_b, step=linked, title="Risk assessment (Denmark)")
    CommitmentFactory(state=state_a, step=unlinked, title="Unrelated pledge")
    return conflict


def test_list_counts_steps_and_commitments(client, factors):
    response = client.get("/risk-factors/")
    assert response.status_code == 200
    rows = {f.number: f for f in response.context["factors"]}
    assert (rows[1].step_count, rows[1].commitment_count) == (1, 2)
    assert (rows[2].step_count, rows[2].commitment_count) == (0, 0)
    assert 'href="/risk-factors/1/"' in response.content.decode()


def test_detail_shows_the_factor_its_steps_and_their_commitments(client, factors):
    response = client.get("/risk-factors/1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Situations of armed conflict" in html
    assert "Inferred" in html or "inferred" in html
    assert [s.code for s in response.context["steps"]] == ["N2"]
    titles = [c.title for c in response.context["page"].object_list]
    assert titles == ["Risk assessment (Denmark)", "Risk assessment (Ghana)"]
    by_status = {row["status"]: row["count"] for row in response.context["by_status"]}
    assert (by_status["substantial"], by_status["not-reported"]) == (1, 1)


def test_a_factor_no_source_links_says_so(client, factors):
    response = client.get("/risk-factors/2/")
    assert response.status_code == 200
    assert response.context["steps"] == []
    assert "No source we hold links a prevention step to this factor" in response.content.decode()


def test_unknown_factor_is_404(client, factors):
    assert client.get("/risk-factors/99/").status_code == 404


def test_detail_csv_lists_the_commitments(client, factors):
    response = client.get("/risk-factors/1/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Risk assessment (Ghana)" in body
    assert "Unrelated pledge" not in body


def test_step_page_links_its_factors(client, factors):
    assert 'href="/risk-factors/1/"' in client.get("/steps/N2/").content.decode()


@pytest.mark.parametrize("path", ["/risk-factors/", "/risk-factors/1/"])
def test_queries_do_not_grow_with_the_data(
    client, factors, state_a, django_assert_max_num_queries, path
):
    step = factors.steps.get()
    for _ in range(20):
        CommitmentFactory(state=state_a, step=step)
    # list: the annotated factors + last change + demo flag (3);
    # detail: factor, steps, status breakdown, page count, page rows + demo flag (3)
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200


def test_api_resource(client, factors):
    body = client.get("/api/v1/risk-factors/").json()
    rows = {row["number"]: row for row in body["results"]}
    assert rows[1]["steps"] == ["N2"]
    assert rows[2]["steps"] == []
    assert rows[1]["verification"] == "inferred"
    assert client.get("/api/v1/risk-factors/?step=N2").json()["count"] == 1
    assert client.get("/api/v1/risk-factors/1/").json()["name"] == "Situations of armed conflict"
    assert client.get("/api/v1/risk-factors/99/").status_code == 404
