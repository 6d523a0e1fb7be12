"""Independent scrutiny on the public surfaces (issue 10, item 5): the assessments and
organisations API with its filters, validators, pages and streams; the commitments API, list
and facets with the independent status and the disagreement flag; the counts of the profiles,
the dashboard and /api/v1/stats/; the CSVs, the open-data zip and the feeds. The rule itself
(commitments.rules.disagrees / disagreement_q) is the domain's and tested there."""

import csv
import io
import json
import zipfile

import pytest

from commitments.models import Moderation, Status
from focalpoints.models import Organisation
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    CommitmentFactory,
    MemberStateFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def world(state_a, state_b, organisation_a):
    """Ghana: ``disputed`` (government substantial, assessed limited: disagreement) and
    ``agreed`` (limited and limited); Denmark: ``quiet`` (never reported, not assessed), with
    an assessment waiting for moderation and a rejected one; a national organisation of
    Denmark; an organisation waiting for approval."""
    kenya = MemberStateFactory(code="KEN", name="Kenya", regional_group="african")
    disputed = CommitmentFactory(state=state_a, title="Disputed pledge")
    ProgressUpdateFactory(commitment=disputed, status=Status.SUBSTANTIAL)
    agreed = CommitmentFactory(state=state_a, title="Agreed pledge")
    ProgressUpdateFactory(commitment=agreed, status=Status.LIMITED)
    quiet = CommitmentFactory(state=state_b, title="Quiet pledge")
    national = OrganisationFactory(
        name="Danish Institute", kind=Organisation.Kind.NHRI, country=state_b
    )
    OrganisationFactory(name="Waiting Monitor", pending=True)
    first = AssessmentFactory(
        commitment=disputed, organisation=organisation_a, status=Status.LIMITED
    )
    second = AssessmentFactory(commitment=agreed, organisation=organisation_a, status="limited")
    reply = AssessmentReplyFactory(assessment=first, text="We disagree: the plan is funded.")
    AssessmentFactory(commitment=quiet, organisation=national, moderation=Moderation.SUBMITTED)
    AssessmentFactory(commitment=quiet, organisation=national, moderation=Moderation.REJECTED)
    return {
        "disputed": disputed,
        "agreed": agreed,
        "quiet": quiet,
        "first": first,
        "second": second,
        "reply": reply,
        "organisation": organisation_a,
        "national": national,
        "kenya": kenya,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


# --- /api/v1/assessments/ -----------------------------------------------------------------------


def test_assessments_lists_published_ones_beside_the_governments_status(client, world):
    body = client.get(API + "assessments/").json()
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["results"]}
    first = rows[world["first"].pk]
    assert first["commitment"] == world["disputed"].pk
    assert first["member_state"] == "GHA"
    assert first["organisation"] == world["organisation"].pk
    assert first["status"] == "limited"
    assert first["government_status"] == "substantial"
    assert first["disagrees"] is True
    assert first["reply"]["text"] == "We disagree: the plan is funded."
    assert first["reply"]["published_at"]
    assert first["corrected_by"] is None and first["is_correction"] is False
    second = rows[world["second"].pk]
    assert second["disagrees"] is False and second["reply"] is None


def test_assessment_filters(client, world):
    first, second = world["first"].pk, world["second"].pk
    assert ids(client.get(API + f"assessments/?commitment={world['disputed'].pk}")) == [first]
    assert ids(client.get(API + "assessments/?member_state=gha,DNK")) == sorted([first, second])
    assert ids(client.get(API + "assessments/?member_state=dnk")) == []
    org = world["organisation"].pk
    assert ids(client.get(API + f"assessments/?organisation={org}")) == sorted([first, second])
    assert ids(client.get(API + f"assessments/?organisation={world['national'].pk}")) == []
    assert ids(client.get(API + "assessments/?disagrees=true")) == [first]
    assert ids(client.get(API + "assessments/?disagrees=false")) == [second]
    assert ids(client.get(API + "assessments/?updated_since=2999-01-01")) == []
    assert len(ids(client.get(API + "assessments/?updated_since=2000-01-01"))) == 2


def test_assessment_filters_refuse_bad_and_unknown_parameters(client, world):
    for query in ("disagree=true", "disagrees=maybe", "member_state=GH", "organisation=x"):
        response = client.get(API + "assessments/?" + query)
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"


def test_a_reply_changes_the_assessment_for_updated_since_and_the_etag(client, world):
    url = API + "assessments/?ordering=last_changed"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    reply = AssessmentReplyFactory(assessment=world["second"])
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    since = reply.published_at.isoformat()
    assert ids(client.get(API + "assessments/", {"updated_since": since})) == [world["second"].pk]


def test_assessments_page_by_cursor_and_stream_as_csv_and_jsonl(client, world):
    page = client.get(API + "assessments/?page_size=1").json()
    assert page["count"] == 2 and "cursor=" in page["next"]
    rest = client.get(page["next"]).json()
    assert rest["count"] is None and len(rest["results"]) == 1 and rest["next"] is None
    by_change = client.get(API + "assessments/?ordering=last_changed&page_size=1").json()
    assert "cursor=" in by_change["next"]
    assert client.get(by_change["next"]).status_code == 200
    response = client.get(API + "assessments/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2 and {"government_status", "disagrees", "reply.text"} <= set(rows[0])
    response = client.get(API + "assessments/?format=jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        [world["first"].pk, world["second"].pk]
    )


def test_a_published_correction_is_named_on_what_it_corrects(client, world):
    correction = AssessmentFactory(
        commitment=world["agreed"],
        organisation=world["organisation"],
        status=Status.NOT_STARTED,
        corrects=world["second"],
    )
    original = client.get(API + f"assessments/{world['second'].pk}/").json()
    assert original["corrected_by"] == correction.pk
    detail = client.get(API + f"assessments/{correction.pk}/").json()
    assert detail["corrects"] == world["second"].pk and detail["is_correction"] is True


def test_unpublished_assessments_are_404(client, world):
    from commitments.models import Assessment

    for assessment in Assessment.objects.exclude(moderation=Moderation.PUBLISHED):
        assert client.get(API + f"assessments/{assessment.pk}/").status_code == 404


# --- /api/v1/organisations/ ---------------------------------------------------------------------


def test_organisations_lists_approved_ones_with_public_fields_only(client, world):
    body = client.get(API + "organisations/").json()
    names = sorted(row["name"] for row in body["results"])
    assert names == ["Danish Institute", "Watch International"]
    row = next(r for r in body["results"] if r["name"] == "Danish Institute")
    assert row["country"] == "DNK" and row["kind"] == "nhri"
    assert not {"contact_email", "approved_by", "email_confirmed_at"} & set(row)
    assert ids(client.get(API + "organisations/?country=dnk")) == [world["national"].pk]
    assert ids(client.get(API + "organisations/?international=true")) == [world["organisation"].pk]
    assert client.get(API + "organisations/?status=pending").status_code == 400


# --- commitments: API fields and filters, the web list's facets -------------------------------


def test_commitments_api_has_the_independent_status_and_the_flag(client, world):
    rows = {row["id"]: row for row in client.get(API + "commitments/").json()["results"]}
    disputed = rows[world["disputed"].pk]
    assert disputed["independent_status"] == "limited"
    assert disputed["latest_assessment"] == world["first"].pk
    assert disputed["independently_assessed"] is True and disputed["disagrees"] is True
    quiet = rows[world["quiet"].pk]
    assert quiet["independent_status"] == "" and quiet["independently_assessed"] is False
    assert quiet["disagrees"] is False
    assessed = ids(client.get(API + "commitments/?independently_assessed=true"))
    assert assessed == sorted([world["disputed"].pk, world["agreed"].pk])
    assert ids(client.get(API + "commitments/?independently_assessed=false")) == [world["quiet"].pk]
    assert ids(client.get(API + "commitments/?disagrees=true")) == [world["disputed"].pk]


def test_a_commitments_detail_carries_its_published_assessments(client, world):
    body = client.get(API + f"commitments/{world['disputed'].pk}/").json()
    assert [a["id"] for a in body["assessments"]] == [world["first"].pk]
    assert body["assessments"][0]["disagrees"] is True
    assert body["assessments"][0]["reply"]["text"] == "We disagree: the plan is funded."
    quiet = client.get(API + f"commitments/{world['quiet'].pk}/").json()
    assert quiet["assessments"] == []  # one waiting and one rejected: neither shows


def test_the_web_list_filters_and_counts_both_facets(client, world):
    response = client.get("/commitments/?disagrees=true")
    assert [c.pk for c in response.context["page"].object_list] == [world["disputed"].pk]
    facets = {facet["name"]: facet for facet in response.context["facets"]}
    counts = {o["value"]: o["count"] for o in facets["independently_assessed"]["options"]}
    assert counts == {"true": 1, "false": 0}  # with the other filter (disagrees) applied
    counts = {o["value"]: o["count"] for o in facets["disagrees"]["options"]}
    assert counts == {"true": 1, "false": 2}  # its own filter left out
    response = client.get("/commitments/?independently_assessed=true&member_state=GHA")
    assert len(response.context["page"].object_list) == 2


# --- counts: profiles, dashboard, stats ---------------------------------------------------------


def test_country_profile_counts_and_links_to_the_filtered_list(client, world):
    response = client.get("/states/GHA/")
    review = response.context["review"]
    assert review["independently_assessed"] == 2 and review["in_disagreement"] == 1
    html = response.content.decode()
    assert "/commitments/?member_state=GHA&amp;disagrees=true" in html
    assert client.get("/states/DNK/").context["review"]["independently_assessed"] == 0


def test_dashboard_region_and_stats_count_the_same(client, world):
    dashboard = client.get("/")
    assert dashboard.context["figures"]["scrutiny"] == {
        "total": 3,
        "assessed": 2,
        "in_disagreement": 1,
    }
    assert "/commitments/?disagrees=true" in dashboard.content.decode()
    region = client.get("/regions/african/")
    assert region.context["figures"]["scrutiny"]["assessed"] == 2
    assert "/commitments/?regional_group=african&amp;disagrees=true" in region.content.decode()
    western = client.get("/regions/western-european-others/").context["figures"]["scrutiny"]
    assert western == {"total": 1, "assessed": 0, "in_disagreement": 0}
    stats = client.get(API + "stats/").json()["independent_scrutiny"]
    assert stats == {"total": 3, "assessed": 2, "in_disagreement": 1}
    grouped = client.get(API + "stats/?regional_group=african").json()["independent_scrutiny"]
    assert grouped["in_disagreement"] == 1


def test_a_progress_update_moves_the_flag_everywhere(client, world):
    assert client.get(API + "stats/").json()["independent_scrutiny"]["in_disagreement"] == 1
    ProgressUpdateFactory(commitment=world["disputed"], status=Status.LIMITED)
    assert client.get(API + "stats/").json()["independent_scrutiny"]["in_disagreement"] == 0
    assert ids(client.get(API + "assessments/?disagrees=true")) == []


# --- CSVs, zip, feeds ---------------------------------------------------------------------------


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_commitments_csv_has_the_independent_columns(client, world):
    rows = {int(r["id"]): r for r in _csv(client.get("/commitments/?format=csv"))}
    disputed = rows[world["disputed"].pk]
    assert disputed["independent_status"] == "limited"
    assert disputed["latest_assessment_id"] == str(world["first"].pk)
    assert disputed["independently_assessed"] == "true" and disputed["disagrees"] == "true"
    assert rows[world["quiet"].pk]["disagrees"] == "false"


def test_assessments_page_and_its_csv(client, world):
    page = client.get("/assessments/")
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 2
    assert "Watch International" in page.content.decode()
    rows = _csv(client.get("/assessments/?format=csv&disagrees=true"))
    assert [int(r["id"]) for r in rows] == [world["first"].pk]
    row = rows[0]
    assert row["state_code"] == "GHA" and row["government_status"] == "substantial"
    assert row["organisation_name"] == "Watch International"
    assert row["reply"] == "We disagree: the plan is funded." and row["disagrees"] == "true"


def test_open_data_zip_has_assessments_replies_and_organisations(client, world):
    from tracker import opendata

    opendata.refresh(force=True)
    response = client.get("/data/r2p-tracker-open-data.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    def table(name):
        text = archive.read(f"csv/{name}.csv").decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    assert sorted(int(r["id"]) for r in table("assessments")) == sorted(
        [world["first"].pk, world["second"].pk]
    )
    assert [r["text"] for r in table("assessment_replies")] == ["We disagree: the plan is funded."]
    assert sorted(r["name"] for r in table("organisations")) == [
        "Danish Institute",
        "Watch International",
    ]
    package = json.loads(archive.read("datapackage.json"))
    resources = {r["name"]: r for r in package["resources"]}
    assert {"assessments", "assessment_evidence", "assessment_replies", "organisations"} <= set(
        resources
    )
    keys = resources["assessments"]["schema"]["foreignKeys"]
    assert {
        "fields": "organisation_id",
        "reference": {"resource": "organisations", "fields": "id"},
    } in keys


def test_feeds_carry_published_assessments_and_replies(client, world):
    for url in (
        "/updates.atom",
        "/states/GHA/updates.atom",
        f"/commitments/{world['disputed'].pk}/updates.atom",
    ):
        text = client.get(url).content.decode()
        assert f"assessment-{world['first'].pk}" in text, url
        assert f"assessment-reply-{world['reply'].pk}" in text, url
        assert "Watch International" in text
    assert (
        f"assessment-{world['first'].pk}"
        not in client.get("/states/DNK/updates.atom").content.decode()
    )
