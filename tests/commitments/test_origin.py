"""The origin of a pledge: a UPR recommendation, a resolution's operative paragraph or a
statement — checked once (rules + services), shown on the page, filterable on the list and
the API, in the CSV, and importable."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from commitments import rules, services
from commitments.models import Commitment, ImportRun, OperativeParagraph, Origin
from tests.commitments.import_helpers import apply, check, edit_csv, export_csv, report
from tests.factories import CommitmentFactory, PreventionStepFactory, ResolutionFactory

pytestmark = pytest.mark.django_db

UPR = {
    "origin": Origin.UPR,
    "upr_cycle": 4,
    "upr_recommending_states": "dnk",
    "upr_recommendation": "128.45 Appoint a national focal point on R2P",
    "upr_response": "accepted",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def paragraph():
    return OperativeParagraph.objects.create(
        resolution=ResolutionFactory(symbol="A/RES/63/308"),
        number="2",
        text="Decides to continue its consideration of the responsibility to protect.",
    )


def terms(state, **origin):
    return {
        "state": state,
        "step": PreventionStepFactory(),
        "title": "Appoint a focal point",
        "description": "Text.",
        "source_kind": Commitment.SourceKind.UPR,
        "source_description": "UPR fourth cycle",
        "pledged_on": datetime.date(2025, 1, 1),
        **origin,
    }


def test_each_origin_needs_its_own_fields_and_no_other():
    assert rules.origin_errors("upr-recommendation", {"upr_cycle": 4}) == {
        "upr_recommending_states": ["Needed for this origin."],
        "upr_recommendation": ["Needed for this origin."],
        "upr_response": ["Needed for this origin."],
    }
    assert rules.origin_errors("statement", {"statement_forum": "GA", "statement_on": 1}) == {}
    assert rules.origin_errors("", {"operative_paragraph": 3}) == {
        "operative_paragraph": ["Only for another origin: leave it empty, or change the origin."]
    }


def test_a_upr_origin_is_recorded_with_known_state_codes(focal_point_a, state_a, state_b):
    commitment = services.commitment_create(user=focal_point_a, **terms(state_a, **UPR))
    assert (commitment.origin, commitment.upr_recommending_states) == (Origin.UPR, "DNK")
    with pytest.raises(ValidationError) as caught:
        services.commitment_create(
            user=focal_point_a, **terms(state_a, **{**UPR, "upr_recommending_states": "DNK XYZ"})
        )
    assert caught.value.message_dict == {"upr_recommending_states": ["Not known State codes: XYZ"]}


def test_a_statement_without_its_date_is_refused(secretariat, commitment_a):
    with pytest.raises(ValidationError) as caught:
        services.commitment_revise(
            user=secretariat,
            commitment=commitment_a,
            changes={"origin": "statement", "statement_forum": "GA"},
            reason="The pledge was made in a statement.",
        )
    assert caught.value.message_dict == {"statement_on": ["Needed for this origin."]}


def test_the_page_shows_the_origin_and_the_list_filters_by_it(client, state_a, state_b, paragraph):
    accepted = CommitmentFactory(state=state_a, title="From an accepted recommendation", **UPR)
    CommitmentFactory(state=state_a, title="From a noted one", **{**UPR, "upr_response": "noted"})
    CommitmentFactory(
        state=state_b,
        title="From a paragraph",
        origin=Origin.RESOLUTION,
        operative_paragraph=paragraph,
    )
    page = client.get(f"/commitments/{accepted.pk}/").content.decode()
    assert "UPR recommendation, cycle 4 — Accepted (supported)" in page
    assert "128.45 Appoint a national focal point on R2P" in page
    listing = client.get("/commitments/", {"origin": "upr-accepted"}).content.decode()
    assert "From an accepted recommendation" in listing and "From a noted one" not in listing
    by_paragraph = client.get("/commitments/", {"origin": "resolution-paragraph"})
    assert "From a paragraph" in by_paragraph.content.decode()
    api = client.get("/api/v1/commitments/", {"origin": "upr-noted"}).json()
    assert [row["title"] for row in api["results"]] == ["From a noted one"]
    assert api["results"][0]["upr_response"] == "noted"
    paragraph_page = client.get(
        f"/commitments/{Commitment.objects.get(origin='resolution-paragraph').pk}/"
    )
    assert "Operative paragraph 2 of" in paragraph_page.content.decode()


def test_the_origin_round_trips_through_the_csv_import(media, secretariat, state_a, paragraph):
    CommitmentFactory(state=state_a, **UPR)
    data = export_csv(ImportRun.Kind.COMMITMENTS)
    run = check(secretariat, ImportRun.Kind.COMMITMENTS, data)
    assert (run.unchanged, run.to_change, run.rejected) == (1, 0, 0)

    def edit(rows):
        row = rows[0]
        row.update(
            dict.fromkeys(["upr_cycle", "upr_recommending_states", "upr_recommendation"], "")
        )
        row.update(
            origin="resolution-paragraph", upr_response="", operative_paragraph=str(paragraph.pk)
        )

    run = check(secretariat, ImportRun.Kind.COMMITMENTS, edit_csv(data, edit))
    assert run.to_change == 1, report(run)
    apply(run)
    commitment = Commitment.objects.get()
    assert (commitment.origin, commitment.operative_paragraph) == (Origin.RESOLUTION, paragraph)
    assert commitment.upr_cycle is None and commitment.upr_response == ""


def test_an_imported_origin_missing_its_fields_is_rejected(media, secretariat, state_a):
    CommitmentFactory(state=state_a)

    def edit(rows):
        rows[0]["origin"] = "statement"

    run = check(
        secretariat,
        ImportRun.Kind.COMMITMENTS,
        edit_csv(export_csv(ImportRun.Kind.COMMITMENTS), edit),
    )
    assert report(run)[2][2] == [
        ("statement_forum", "Needed for this origin."),
        ("statement_on", "Needed for this origin."),
    ]


def test_the_workspace_page_shows_the_origin(client, focal_point_a, state_a):
    commitment = CommitmentFactory(
        state=state_a,
        origin=Origin.STATEMENT,
        statement_forum="the 2024 General Assembly dialogue on R2P",
        statement_on=datetime.date(2024, 6, 1),
    )
    client.force_login(focal_point_a)
    page = client.get(f"/my/commitments/{commitment.pk}/").content.decode()
    assert "Statement at the 2024 General Assembly dialogue on R2P" in page
