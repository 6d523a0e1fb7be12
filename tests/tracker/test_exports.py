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
from tracker import exports, opendata

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
    rows = read_csv(client.get("/commitments/?format=csv&member_state=GHA"))
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


def published_zip(client) -> zipfile.ZipFile:
    """What beat does after a change (build if due), then the download."""
    opendata.refresh()
    return open_zip(client.get("/data/r2p-tracker-open-data.zip"))


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert 'filename="r2p-tracker-open-data.zip"' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_open_data_zip_has_csv_and_json_of_every_table_a_datapackage_and_the_licence(
    client, data, media
):
    archive = published_zip(client)
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
    archive = published_zip(client)
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
    archive = published_zip(client)
    updates = json.loads(archive.read("json/progress_updates.json"))
    assert [(u["id"], u["corrects_id"]) for u in updates] == [
        (data["first"].pk, None),
        (data["correction"].pk, data["first"].pk),
    ]
    states = list(csv.DictReader(io.StringIO(archive.read("csv/states.csv").decode()[1:])))
    assert {s["code"]: s["name"] for s in states}["EGY"] == "مصر"
    links = json.loads(archive.read("json/resolution_states.json"))
    assert links == [{"resolution_id": data["resolution"].pk, "memberstate_id": "GHA"}]


def test_open_data_zip_is_rebuilt_when_the_data_changes(client, data, media, settings):
    settings.OPEN_DATA_QUIET_SECONDS = 0
    first = published_zip(client)
    assert len(json.loads(first.read("json/commitments.json"))) == 2
    CommitmentFactory(state=data["commitment"].state, step=data["commitment"].step)
    second = published_zip(client)
    assert len(json.loads(second.read("json/commitments.json"))) == 3
    zips = [p.name for p in (media / "open-data").iterdir() if p.suffix == ".zip"]
    assert len(zips) == 1  # the old version was deleted


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
    archive = published_zip(client)
    narratives = [u["narrative"] for u in json.loads(archive.read("json/progress_updates.json"))]
    assert '=HYPERLINK("https://evil.example","click")' in narratives


# --- Built ahead of time --------------------------------------------------------------------------


def test_no_request_builds_the_zip_before_the_first_build_it_says_when_to_come_back(
    client, data, media, monkeypatch, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(exports, "write_open_data_zip", lambda *a, **k: pytest.fail("built"))
    monkeypatch.setattr("tracker.tasks.refresh_open_data.delay", lambda: queued.append(1))
    response = client.get("/data/r2p-tracker-open-data.zip")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert queued == [1]
    assert "being prepared" in client.get("/data/").content.decode()


def test_requests_are_served_the_published_file_while_the_data_changes(client, data, media):
    opendata.refresh()
    CommitmentFactory(state=data["commitment"].state, step=data["commitment"].step)
    built = []
    original = exports.write_open_data_zip
    exports.write_open_data_zip = lambda *a, **k: built.append(1) or original(*a, **k)
    try:
        archive = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    finally:
        exports.write_open_data_zip = original
    assert built == []  # the request never builds
    assert len(json.loads(archive.read("json/commitments.json"))) == 2
    page = client.get("/data/").content.decode()
    assert "an updated file is being prepared" in page


def test_the_data_page_shows_size_build_time_and_version(client, data, media):
    result = opendata.refresh()
    release = opendata.current_release()
    page = client.get("/data/").content.decode()
    assert release.version in page and release.sha256 in page
    assert release.built_at.isoformat() in page
    assert result["size_bytes"] == (media / release.path).stat().st_size
    assert "an updated file is being prepared" not in page


def test_zip_entries_carry_the_build_date(client, data, media):
    import time_machine

    moment = datetime.datetime(2026, 7, 14, 9, 30, 5, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        opendata.refresh()
    archive = open_zip(client.get("/data/r2p-tracker-open-data.zip"))
    assert {info.date_time for info in archive.infolist()} == {(2026, 7, 14, 9, 30, 4)}
    package = json.loads(archive.read("datapackage.json"))
    assert package["created"] == "2026-07-14T09:30:05+00:00"


def test_evidence_documents_in_the_zip_point_at_the_serving_view(client, data, media):
    from django.core.files.base import ContentFile

    from tests.commitments.upload_samples import tiny_pdf

    evidence = Evidence.objects.create(
        update=data["first"],
        kind="file",
        title="Decree text",
        file=ContentFile(tiny_pdf(), name="decree.pdf"),
        content_type="application/pdf",
    )
    records = json.loads(published_zip(client).read("json/evidence.json"))
    document = next(r for r in records if r["id"] == evidence.pk)
    assert document["file"] == f"http://127.0.0.1:8000/evidence/{evidence.pk}/decree-text.pdf"
    assert "evidence/20" not in document["file"]  # never the storage path


def test_debounce_waits_for_the_data_to_settle_but_not_forever(settings):
    now = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    settings.OPEN_DATA_QUIET_SECONDS = 60
    settings.OPEN_DATA_MAX_STALE_SECONDS = 900
    seconds = datetime.timedelta(seconds=1)
    release = opendata.Release("p", "old", now - 300 * seconds, None, 1, "x")
    assert opendata.should_build(release=None, version={"key": "k", "last_changed": now}, now=now)
    same = {"key": "old", "last_changed": now}
    assert not opendata.should_build(release=release, version=same, now=now).build
    busy = {"key": "new", "last_changed": now - 10 * seconds}
    assert not opendata.should_build(release=release, version=busy, now=now).build
    settled = {"key": "new", "last_changed": now - 60 * seconds}
    assert opendata.should_build(release=release, version=settled, now=now).build
    old_release = opendata.Release("p", "old", now - 900 * seconds, None, 1, "x")
    assert opendata.should_build(release=old_release, version=busy, now=now).build


def test_one_build_at_a_time_across_workers(data, media):
    from django.core.cache import cache

    cache.add(opendata.BUILD_LOCK_KEY, "x", 60)  # another worker is building
    assert opendata.refresh(force=True) == {
        "built": False,
        "reason": "another worker is building",
        "version": opendata.stats.data_version()["key"],
    }
    cache.delete(opendata.BUILD_LOCK_KEY)
    assert opendata.refresh()["built"] is True
    assert opendata.refresh()["reason"] == "up to date"


def test_the_task_and_the_command_publish_the_zip(data, media):
    from django.core.management import call_command

    from tracker.tasks import refresh_open_data

    assert refresh_open_data.delay().get()["built"] is True
    out = io.StringIO()
    call_command("build_open_data", "--force", stdout=out)
    assert "Published open-data/" in out.getvalue()
    call_command("build_open_data", stdout=out)
    assert "Nothing built: up to date" in out.getvalue()
