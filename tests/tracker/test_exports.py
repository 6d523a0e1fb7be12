"""CSV downloads of the public lists and the bulk open-data zip."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.http import StreamingHttpResponse

from commitments.models import Evidence, Status
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)
from tracker import exports

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


@pytest.fixture
def data(state_a, state_b):
    egypt = MemberStateFactory(code="EGY", name="مصر", regional_group="african")
    FocalPointFactory(state=state_a)
    step = PreventionStepFactory(code="N1", title="Appoint a focal point")
    resolution = ResolutionFactory(symbol="S/RES/1674 (2006)")
    resolution.states.add(state_a)
    commitment = CommitmentFactory(state=state_a, step=step, title='Appoint, "quoted", title')
    commitment.resolutions.add(resolution)
    first = ProgressUpdateFactory(
        commitment=commitment, reported_on=datetime.date(2025, 3, 1), status=Status.LIMITED
    )
    Evidence.objects.create(update=first, kind="link", title="Decree", url="https://e.org/decree")
    correction = ProgressUpdateFactory(
        commitment=commitment,
        reported_on=datetime.date(2025, 3, 2),
        status=Status.SUBSTANTIAL,
        corrects=first,
        narrative="تصحيح: the decree was signed.",
    )
    other = CommitmentFactory(state=egypt, step=step, title="التزام")
    return {
        "commitment": commitment,
        "first": first,
        "correction": correction,
        "other": other,
        "resolution": resolution,
    }


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[len(BOM) :])))


def test_states_csv_is_streamed_utf8_with_bom_and_keeps_arabic_names(client, data):
    rows = read_csv(client.get("/states/?format=csv"))
    by_code = {r["code"]: r for r in rows}
    assert by_code["EGY"]["name"] == "مصر"
    assert by_code["GHA"]["has_focal_point"] == "true"
    assert by_code["DNK"]["has_focal_point"] == "false"
    assert by_code["GHA"]["commitments"] == "1"
    assert by_code["GHA"]["url"].endswith("/states/GHA/")


def test_states_csv_applies_the_page_filters(client, data):
    rows = read_csv(client.get("/states/?format=csv&focal_point=yes"))
    assert [r["code"] for r in rows] == ["GHA"]


def test_commitments_csv_quotes_commas_and_quotes(client, data):
    rows = read_csv(client.get("/commitments/?format=csv&state=GHA"))
    assert len(rows) == 1
    assert rows[0]["title"] == 'Appoint, "quoted", title'
    assert rows[0]["status"] == "substantial"
    assert rows[0]["step_code"] == "N1"


def test_commitment_csv_lists_the_correction_and_the_original(client, data):
    url = data["commitment"].get_absolute_url() + "?format=csv"
    rows = read_csv(client.get(url))
    assert [r["id"] for r in rows] == [str(data["first"].pk), str(data["correction"].pk)]
    assert rows[1]["corrects_update_id"] == str(data["first"].pk)
    assert rows[1]["narrative"] == "تصحيح: the decree was signed."
    assert rows[0]["evidence"] == "https://e.org/decree"


def test_state_csv_lists_only_that_states_commitments(client, data):
    rows = read_csv(client.get("/states/egy/?format=csv"))
    assert [r["title"] for r in rows] == ["التزام"]


def test_resolutions_and_steps_csv(client, data):
    resolutions = read_csv(client.get("/resolutions/?format=csv"))
    assert resolutions[0]["symbol"] == "S/RES/1674 (2006)"
    assert resolutions[0]["states"] == "GHA"
    assert resolutions[0]["commitments"] == "1"
    steps = read_csv(client.get("/steps/?format=csv"))
    assert steps[0]["code"] == "N1"
    assert steps[0]["commitments"] == "2"
    assert steps[0]["states"] == "2"


def test_step_and_resolution_csv_list_their_commitments(client, data):
    rows = read_csv(client.get("/steps/N1/?format=csv"))
    assert sorted(r["state_code"] for r in rows) == ["EGY", "GHA"]
    url = data["resolution"].get_absolute_url() + "?format=csv"
    assert [r["state_code"] for r in read_csv(client.get(url))] == ["GHA"]


def test_unknown_state_csv_is_404(client, data):
    assert client.get("/states/XXX/?format=csv").status_code == 404
    assert client.get("/commitments/999999/?format=csv").status_code == 404


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def open_zip(response) -> zipfile.ZipFile:
    assert response["Content-Type"] == "application/zip"
    assert 'filename="r2p-tracker-open-data.zip"' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_open_data_zip_has_csv_and_json_of_every_table_a_datapackage_and_the_licence(
    client, data, media
):
    archive = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    names = set(archive.namelist())
    for table in exports.TABLES:
        assert f"csv/{table.name}.csv" in names
        assert f"json/{table.name}.json" in names
    assert "LICENCE.txt" in names
    assert "CC-BY-4.0" in archive.read("LICENCE.txt").decode()
    package = json.loads(archive.read("datapackage.json"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["path"] for r in package["resources"]} == {
        f"csv/{t.name}.csv" for t in exports.TABLES
    }


def test_datapackage_schema_matches_every_csv_header_and_json_record(client, data, media):
    archive = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    package = json.loads(archive.read("datapackage.json"))
    for resource in package["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        text = archive.read(resource["path"]).decode("utf-8")
        assert text.startswith(BOM), resource["path"]
        reader = csv.reader(io.StringIO(text[1:]))
        assert next(reader) == fields, resource["path"]
        records = json.loads(archive.read(resource["path"].replace("csv", "json")))
        for record in records:
            assert list(record) == fields


def test_datapackage_foreign_keys_point_at_existing_resources_and_fields(client, data, media):
    package = exports.datapackage("v")
    fields = {r["name"]: {f["name"] for f in r["schema"]["fields"]} for r in package["resources"]}
    checked = 0
    for resource in package["resources"]:
        assert resource["profile"] == "tabular-data-resource"
        for key in resource["schema"].get("foreignKeys", []):
            assert key["fields"] in fields[resource["name"]]
            target = key["reference"]["resource"]
            assert key["reference"]["fields"] in fields[target], (resource["name"], key)
            checked += 1
    assert checked >= 10


def test_open_data_zip_rows_match_the_database(client, data, media):
    archive = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    updates = json.loads(archive.read("json/progress_updates.json"))
    assert [(u["id"], u["corrects_id"]) for u in updates] == [
        (data["first"].pk, None),
        (data["correction"].pk, data["first"].pk),
    ]
    states = list(csv.DictReader(io.StringIO(archive.read("csv/states.csv").decode()[1:])))
    assert {s["code"]: s["name"] for s in states}["EGY"] == "مصر"
    links = json.loads(archive.read("json/resolution_states.json"))
    assert links == [{"resolution_id": data["resolution"].pk, "memberstate_id": "GHA"}]


def test_open_data_zip_is_rebuilt_when_the_data_changes(client, data, media):
    first = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    assert len(json.loads(first.read("json/commitments.json"))) == 2
    CommitmentFactory(state=data["commitment"].state, step=data["commitment"].step)
    second = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    assert len(json.loads(second.read("json/commitments.json"))) == 3
    assert len(list((media / "open-data").iterdir())) == 1  # the old version was deleted


def test_open_data_page_states_the_licence(client, data):
    body = client.get("/data/").content.decode()
    assert "Creative Commons Attribution 4.0 International" in body
    assert "https://creativecommons.org/licenses/by/4.0/" in body


def test_list_csv_neutralises_spreadsheet_formulas_but_the_zip_keeps_the_text(client, data, media):
    ProgressUpdateFactory(
        commitment=data["other"],
        reported_on=datetime.date(2025, 5, 1),
        narrative='=HYPERLINK("https://evil.example","click")',
    )
    url = data["other"].get_absolute_url() + "?format=csv"
    assert (
        read_csv(client.get(url))[0]["narrative"] == '\'=HYPERLINK("https://evil.example","click")'
    )
    archive = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    narratives = [u["narrative"] for u in json.loads(archive.read("json/progress_updates.json"))]
    assert '=HYPERLINK("https://evil.example","click")' in narratives


def test_a_request_waits_for_the_zip_another_request_is_building(client, data, media, monkeypatch):
    from django.core.cache import cache

    from tracker import stats

    version = stats.data_version()["key"]
    cache.add(f"tracker:open-data-build:{version}", 1, 60)  # another worker is building it
    built = []

    def other_worker_finishes(seconds):
        (media / "open-data").mkdir(exist_ok=True)
        (media / "open-data" / f"{version}.zip").write_bytes(b"PK-built-elsewhere")
        built.append(seconds)

    monkeypatch.setattr(exports.time, "sleep", other_worker_finishes)
    monkeypatch.setattr(exports, "write_open_data_zip", lambda *a: pytest.fail("built twice"))
    response = client.get("/data/r2p-tracker-open-data.zip")
    assert b"".join(response.streaming_content) == b"PK-built-elsewhere"
    assert built
