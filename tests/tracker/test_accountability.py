"""The accountability figures (``tracker.stats.accountability``) against hand-computed numbers
on the five commitments of tests/tracker/conftest.py, the same figures on the page and in
``/api/v1/stats/``, and every cell of the page linking to a list of exactly that many rows."""

import re

from commitments.models import Status
from tracker import stats

from .conftest import TODAY


def row(rows, value):
    (found,) = [r for r in rows if r["value"] == value]
    by_status = {cell["status"]: cell["count"] for cell in found["by_status"]}
    return found, {status: n for status, n in by_status.items() if n}


def test_by_basis(five):
    figures = stats.accountability(today=TODAY)
    legal, legal_status = row(figures["by_basis"], "legal")
    assert legal_status == {Status.LIMITED: 1, Status.WITHDRAWN: 1}  # A, D
    assert (legal["total"], legal["overdue"], legal["target_missed"]) == (2, 1, 2)
    assert legal["complete_share"] == 0
    political, political_status = row(figures["by_basis"], "political")
    assert political_status == {Status.NOT_REPORTED: 1, Status.LIMITED: 1}  # B, E (corrected)
    assert (political["total"], political["overdue"], political["target_missed"]) == (2, 1, 0)
    moral, moral_status = row(figures["by_basis"], "moral")
    assert moral_status == {Status.COMPLETE: 1}
    assert moral["complete_share"] == 1


def test_by_channel_counts_a_commitment_under_each_of_its_channels(five):
    figures = stats.accountability(today=TODAY)
    upr, upr_status = row(figures["by_channel"], "upr")
    assert upr_status == {Status.LIMITED: 2, Status.COMPLETE: 1}  # A, E; C
    assert (upr["total"], upr["overdue"], upr["target_missed"]) == (3, 2, 1)
    parliament, parliament_status = row(figures["by_channel"], "parliament")
    assert parliament_status == {Status.NOT_REPORTED: 1, Status.COMPLETE: 1}  # B, C
    assert (parliament["overdue"], parliament["target_missed"]) == (0, 0)


def test_by_source_kind_and_level(five):
    figures = stats.accountability(today=TODAY)
    upr, _ = row(figures["by_source_kind"], "upr")
    assert (upr["total"], upr["overdue"], upr["target_missed"]) == (3, 2, 1)
    hrc, hrc_status = row(figures["by_source_kind"], "hrc-statement")
    assert hrc_status == {Status.WITHDRAWN: 1}
    assert hrc["target_missed"] == 1
    other, _ = row(figures["by_source_kind"], "other")
    assert other["total"] == 0
    assert other["complete_share"] is None
    national, _ = row(figures["by_level"], "national")
    assert (national["total"], national["states"], national["overdue"]) == (4, 3, 2)
    assert national["target_missed"] == 1
    intergovernmental, _ = row(figures["by_level"], "intergovernmental")
    assert (intergovernmental["total"], intergovernmental["target_missed"]) == (1, 1)
    assert [r["value"] for r in figures["by_level"]] == [
        "national",
        "intergovernmental",
        "un-system",
    ]


def test_regional_group_scope(five):
    figures = stats.accountability(today=TODAY, regional_group="african")
    upr, _ = row(figures["by_channel"], "upr")
    assert upr["total"] == 2  # A and C; E is Danish


def test_the_page_shows_the_figures_and_each_cell_lists_as_many_rows(client, five):
    response = client.get("/accountability/")
    assert response.status_code == 200
    html = response.content.decode()
    cells = re.findall(r'data-cell="[^"]+" href="([^"]+)">(\d+)<', html)
    assert len(cells) >= 15
    for url, count in cells:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.context["page"].paginator.count == int(count), url


def test_the_dashboard_links_to_it(client, db):
    assert 'href="/accountability/"' in client.get("/").content.decode()


def test_the_page_costs_one_query_when_warm(client, five, django_assert_max_num_queries):
    client.get("/accountability/")
    # The data version (the key of the cached figures and the page's "last changed").
    with django_assert_max_num_queries(1):
        assert client.get("/accountability/").status_code == 200


def test_stats_api_serves_the_same_figures(client, five):
    body = client.get("/api/v1/stats/").json()
    assert body["accountability"]["by_basis"] == _jsonish(
        stats.accountability(today=TODAY)["by_basis"]
    )
    schema = client.get("/api/schema/?format=json").json()
    assert "accountability" in schema["components"]["schemas"]["Stats"]["properties"]


def _jsonish(rows):
    return [{**r, "label": str(r["label"])} for r in rows]


def test_the_open_data_zip_has_the_matrices_and_the_trend_as_tables(five):
    import csv
    import datetime
    import io
    import zipfile

    from tracker import exports

    buffer = io.BytesIO()
    exports.write_open_data_zip(
        buffer, stats.data_version()["key"], built_at=datetime.datetime.now(datetime.UTC)
    )
    archive = zipfile.ZipFile(buffer)
    text = archive.read("figures/accountability.csv").decode("utf-8-sig")
    rows = {(r["dimension"], r["value"]): r for r in csv.DictReader(io.StringIO(text))}
    legal = rows[("basis", "legal")]
    assert (legal["judged_on"], legal["total"], legal["target_missed"]) == (str(TODAY), "2", "2")
    assert (legal["limited"], legal["withdrawn"], legal["overdue"]) == ("1", "1", "1")
    assert rows[("channel", "upr")]["total"] == "3"
    assert rows[("level", "national")]["overdue"] == "2"
    trend = archive.read("figures/reporting_trend.csv").decode("utf-8-sig")
    last = list(csv.DictReader(io.StringIO(trend)))[-1]
    assert last["quarter"] == "2026-Q2"
    expected = stats.reporting_trend(today=TODAY)["rows"][-1]
    assert (last["overdue"], last["due"]) == (str(expected["overdue"]), str(expected["due"]))


def test_channel_names_are_in_the_readers_language(client, five):
    """The figures are cached for every reader; each reader sees the channels' names in their
    language (the English where a translation is missing), in the matrix and in the facets."""
    from django.utils import translation

    from commitments.models import ScrutinyChannel

    ScrutinyChannel.objects.filter(code="upr").update(name_ar="الاستعراض الدوري الشامل")
    with translation.override("ar"):
        upr, _ = row(stats.accountability(today=TODAY)["by_channel"], "upr")
    assert upr["label"] == "الاستعراض الدوري الشامل"
    with translation.override("en"):
        upr, _ = row(stats.accountability(today=TODAY)["by_channel"], "upr")
    assert upr["label"] == ScrutinyChannel.objects.get(code="upr").name
    listing = client.get("/commitments/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الاستعراض الدوري الشامل" in listing
