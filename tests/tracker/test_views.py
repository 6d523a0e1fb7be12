"""Public pages render for an anonymous visitor, with their data and empty states."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db
TODAY_ISH = datetime.date.today() - datetime.timedelta(days=1)


@pytest.fixture
def world(state_a, state_b):
    FocalPointFactory(state=state_a)
    step = PreventionStepFactory(code="N1", title="Appoint a focal point")
    resolution = ResolutionFactory(symbol="S/RES/1674 (2006)")
    resolution.states.add(state_a)
    commitment = CommitmentFactory(state=state_a, step=step, title="Appoint a national focal point")
    commitment.resolutions.add(resolution)
    first = ProgressUpdateFactory(
        commitment=commitment, reported_on=datetime.date(2025, 3, 1), narrative="First report."
    )
    ProgressUpdateFactory(
        commitment=commitment,
        reported_on=datetime.date(2025, 3, 2),
        corrects=first,
        status="substantial",
        narrative="Corrected report.",
    )
    CommitmentFactory(state=state_b, step=step)
    return {"commitment": commitment, "resolution": resolution, "step": step}


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("tracker:dashboard", {}),
        ("tracker:states", {}),
        ("tracker:state", {"code": "GHA"}),
        ("tracker:region", {"slug": "african"}),
        ("tracker:commitments", {}),
        ("tracker:resolutions", {}),
        ("tracker:steps", {}),
        ("tracker:step", {"code": "N1"}),
        ("tracker:data", {}),
    ],
)
def test_public_page_renders_for_anonymous_visitor(client, world, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


def test_commitment_page_shows_correction_and_keeps_original(client, world):
    response = client.get(world["commitment"].get_absolute_url())
    body = response.content.decode()
    assert "First report." in body
    assert "Corrected report." in body
    assert "This update corrects" in body


def test_resolution_page_lists_states_and_commitments(client, world):
    response = client.get(world["resolution"].get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "S/RES/1674 (2006)" in body
    assert "Appoint a national focal point" in body


@pytest.mark.parametrize(
    "url",
    [
        "/states/XXX/",
        "/regions/atlantis/",
        "/commitments/999999/",
        "/resolutions/999999/",
        "/steps/NOPE/",
    ],
)
def test_unknown_objects_are_404(client, world, url):
    assert client.get(url).status_code == 404


def test_state_code_is_case_insensitive(client, world):
    assert client.get("/states/gha/").status_code == 200


def test_states_filters_and_search(client, world):
    def codes(query):
        response = client.get("/states/" + query)
        return [s.code for s in response.context["states"]]

    assert codes("") == ["DNK", "GHA"]  # by name: Denmark, Ghana
    assert codes("?focal_point=yes") == ["GHA"]
    assert codes("?focal_point=no") == ["DNK"]
    assert codes("?group=western-european-others") == ["DNK"]
    assert codes("?q=ghan") == ["GHA"]
    assert codes("?q=dnk") == ["DNK"]
    assert codes("?sort=focal_point") == ["GHA", "DNK"]


def test_states_overdue_filter_and_sort(client, world, state_b):
    CommitmentFactory(state=state_b, pledged_on=datetime.date(2020, 1, 1))  # long overdue
    MemberStateFactory(code="KEN", name="Kenya")  # nothing pledged, nothing overdue

    def codes(query):
        return [s.code for s in client.get("/states/" + query).context["states"]]

    assert codes("?overdue=yes") == ["DNK", "GHA"]
    assert codes("?overdue=no") == ["KEN"]
    assert codes("?sort=overdue") == ["DNK", "GHA", "KEN"]  # 2, 1, 0 overdue reviews


def test_invalid_filter_value_is_reported_and_ignored(client, world):
    response = client.get("/states/?group=atlantis&focal_point=yes")
    assert response.status_code == 200
    assert response.context["form"].errors["group"]
    assert [s.code for s in response.context["states"]] == ["GHA"]  # the valid filter applies


def test_commitments_filters(client, world):
    def titles(query):
        response = client.get("/commitments/" + query)
        return [c.title for c in response.context["page"].object_list]

    assert len(titles("")) == 2
    assert titles("?member_state=gha") == ["Appoint a national focal point"]
    assert titles("?status=substantial") == ["Appoint a national focal point"]
    assert titles("?status=limited") == []  # the corrected status no longer counts
    assert len(titles("?step=N1")) == 2
    assert titles("?q=appoint") == ["Appoint a national focal point"]


def test_resolutions_filters(client, world):
    ResolutionFactory(symbol="A/RES/60/1", body="GA", adopted_on=datetime.date(2005, 10, 24))

    def symbols(query):
        response = client.get("/resolutions/" + query)
        return [r.symbol for r in response.context["page"].object_list]

    assert symbols("?body=GA") == ["A/RES/60/1"]
    assert symbols("?year=2005") == ["A/RES/60/1"]
    assert symbols("?state=GHA") == ["S/RES/1674 (2006)"]
    assert symbols("?q=60/1") == ["A/RES/60/1"]


def test_commitment_page_shows_overdue_and_status_history(client, world):
    commitment = world["commitment"]
    commitment.refresh_from_db()
    response = client.get(commitment.get_absolute_url())
    history = response.context["status_history"]
    # Pledged (not yet reported), then the corrected status only: the corrected "limited" is
    # replaced by its correction.
    assert [h["status"] for h in history] == ["not-reported", "substantial"]
    assert response.context["is_overdue"] is True  # reported 2025-03-02, every 180 days
    assert "overdue" in response.content.decode()


def test_every_chart_is_an_accessible_svg_with_a_table(client, world):
    body = client.get("/").content.decode()
    assert body.count('role="img"') == 5
    assert body.count("<title id=") == 5
    assert body.count("<desc id=") == 5
    assert body.count("The numbers in a table") == 5
    assert "http://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_dashboard_shows_the_sourced_figure_beside_ours(client, world):
    from focalpoints.models import ReferenceFigure

    ReferenceFigure.objects.create(
        key="gn",
        topic=ReferenceFigure.Topic.FOCAL_POINTS,
        value=61,
        statement="61 countries + EU + OAS",
        source_name="the Global Network of R2P Focal Points",
        source_url="https://example.org/gn",
    )
    body = client.get("/").content.decode()
    assert "61 countries + EU + OAS" in body
    assert "https://example.org/gn" in body


@pytest.mark.parametrize(
    "url", ["/", "/states/", "/states/GHA/", "/commitments/", "/steps/", "/resolutions/", "/data/"]
)
def test_every_page_says_when_its_data_last_changed(client, world, url):
    assert "last changed on" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "url,message",
    [
        ("/", "No commitment has been recorded yet"),
        ("/", "No progress update has been published yet"),
        ("/states/", "No State matches these filters"),
        ("/commitments/", "No commitment matches these filters"),
        ("/resolutions/", "No resolution matches these filters"),
        ("/steps/", "The catalogue of prevention steps is empty"),
    ],
)
def test_empty_pages_explain_why(client, db, url, message):
    assert message in client.get(url).content.decode()


def test_empty_state_profile_explains(client, state_b):
    body = client.get("/states/DNK/").content.decode()
    assert "We know of no current R2P focal point for Denmark" in body
    assert "Denmark has no commitment recorded here yet" in body


def test_demo_notice_and_badges_while_demo_data_exists(client, world, state_a):
    CommitmentFactory(state=state_a, title="Fictional pledge", is_demo=True)
    body = client.get("/states/GHA/").content.decode()
    assert "Demonstration data" in body
    assert 'badge-demo">demo' in body


def test_nav_links_to_every_public_section(client, world):
    body = client.get("/").content.decode()
    for url in ["/states/", "/commitments/", "/resolutions/", "/steps/", "/data/", "/api/docs/"]:
        assert f'href="{url}"' in body


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_element_ids_are_unique_in_every_language(client, world, language):
    client.cookies["django_language"] = language
    body = client.get("/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_steps_are_listed_national_first_like_the_dashboard(client, db):
    for code, level in [("U1", "un-system"), ("I1", "intergovernmental"), ("N1", "national")]:
        PreventionStepFactory(code=code, level=level)
    response = client.get("/steps/")
    assert [s.code for s in response.context["steps"]] == ["N1", "I1", "U1"]


def test_step_and_resolution_pages_date_their_latest_commitment_change(client, world):
    commitment = world["commitment"]
    commitment.refresh_from_db()
    for url in ["/steps/N1/", world["resolution"].get_absolute_url()]:
        response = client.get(url)
        assert response.context["last_changed"] >= commitment.updated_at


def test_dashboard_shows_new_data_at_once_despite_caching(client, world, state_b):
    before = client.get("/")
    assert before.context["figures"]["overdue"]["count"] == 2
    ProgressUpdateFactory(
        commitment=CommitmentFactory(state=state_b, title="Fresh pledge", pledged_on=TODAY_ISH),
        reported_on=TODAY_ISH,
        narrative="Fresh report.",
    )
    after = client.get("/").content.decode()
    assert "Fresh pledge" in after  # recent updates
    assert "Fresh pledge" not in before.content.decode()


def test_sorted_column_is_marked_for_assistive_technology(client, world):
    assert 'aria-sort="ascending"><a href="?sort=name"' in client.get("/states/").content.decode()
    body = client.get("/states/?sort=overdue").content.decode()
    assert 'aria-sort="descending"><a href="?sort=overdue"' in body
