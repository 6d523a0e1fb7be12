"""State names in the reader's language: every page, list order, search, CSV, feed, e-mail and
the API's ``names`` (issue 13). The English name is the UN short name and stays the API's key."""

import csv
import datetime
import io
import re

import pytest
from django.utils import translation

from focalpoints.models import MemberState
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)
from tracker.selectors import states_list

NAMES = {
    # code: (en, fr, es, ar) — as loaded from data/reference/states.csv
    "DEU": ("Germany", "Allemagne", "Alemania", "ألمانيا"),
    "EGY": ("Egypt", "Égypte", "Egipto", "مصر"),
    "ESP": ("Spain", "Espagne", "España", "أسبانيا"),
    "USA": (
        "United States of America",
        "États-Unis d'Amérique",
        "Estados Unidos",
        "الولايات المتحدة الأمريكية",
    ),
    "ZMB": ("Zambia", "Zambie", "Zambia", "زامبيا"),
    "IRQ": ("Iraq", "Irak", "Irak", "العراق"),
}
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def named(db):
    states = {}
    for code, (en, fr, es, ar) in NAMES.items():
        states[code] = MemberStateFactory(
            code=code, name=en, name_fr=fr, name_es=es, name_ar=ar, regional_group="african"
        )
    step = PreventionStepFactory(code="N1", title="Appoint a focal point")
    resolution = ResolutionFactory(title="Thematic resolution")
    resolution.states.set([states["DEU"], states["EGY"]])
    commitment = CommitmentFactory(state=states["DEU"], step=step, title="Pledge A")
    commitment.resolutions.set([resolution])
    ProgressUpdateFactory(commitment=commitment, narrative="Work began.")
    CommitmentFactory(state=states["EGY"], step=step, title="Pledge B")
    FocalPointFactory(state=states["DEU"])
    return {"states": states, "commitment": commitment, "resolution": resolution}


def _get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url)


def test_the_name_is_declared_once_and_falls_back_to_english():
    state = MemberState(code="DEU", name="Germany", name_fr="Allemagne", name_ar="")
    assert state.name_in("fr") == "Allemagne"
    assert state.name_in("ar") == "Germany"  # not yet translated: the English
    assert state.names == {"en": "Germany", "fr": "Allemagne", "es": "Germany", "ar": "Germany"}
    with translation.override("fr"):
        assert str(state) == state.display_name == "Allemagne"


def test_every_public_page_in_arabic_names_states_in_arabic_only(client, named):
    commitment, resolution = named["commitment"], named["resolution"]
    urls = [
        "/",
        "/states/",
        "/states/DEU/",
        "/regions/african/",
        "/commitments/",
        commitment.get_absolute_url(),
        "/resolutions/",
        resolution.get_absolute_url(),
        "/steps/N1/",
    ]
    for url in urls:
        body = _get(client, url, "ar").content.decode()
        shown = [code for code, names in NAMES.items() if names[3] in body]
        assert shown, url
        for code in shown:  # each State the page names, in Arabic and never in English
            assert NAMES[code][0] not in body, (url, code)


def test_the_states_list_sorts_by_the_readers_language(client, named):
    def order(language):
        response = _get(client, "/states/", language)
        return [s.code for s in response.context["states"]]

    # French: É sorts with E (code points would put Égypte and États-Unis after Zambie).
    assert order("fr") == ["DEU", "EGY", "ESP", "USA", "IRQ", "ZMB"]
    # Arabic: hamza forms of alef sort as alef (code points would put ألمانيا before العراق).
    assert order("ar") == ["ESP", "IRQ", "DEU", "USA", "ZMB", "EGY"]
    assert order("en") == ["EGY", "DEU", "IRQ", "ESP", "USA", "ZMB"]
    with translation.override("fr"):
        reverse = states_list(today=datetime.date(2026, 6, 30), sort="-name")
        assert [s.code for s in reverse] == ["ZMB", "IRQ", "USA", "ESP", "EGY", "DEU"]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("query", ["Allemagne", "ألمانيا", "alemania", "germany"])
def test_search_finds_a_state_by_its_name_in_any_language(client, named, language, query):
    states = _get(client, f"/states/?q={query}", language).context["states"]
    assert [s.code for s in states] == ["DEU"]
    commitments = _get(client, f"/commitments/?q={query}", language).context["page"]
    assert [c.title for c in commitments] == ["Pledge A"]


def test_the_commitments_list_sorts_by_state_name_in_the_readers_language(client, named):
    titles = [c.title for c in _get(client, "/commitments/", "ar").context["page"]]
    assert titles == ["Pledge A", "Pledge B"]  # ألمانيا before مصر
    titles = [c.title for c in _get(client, "/commitments/", "en").context["page"]]
    assert titles == ["Pledge B", "Pledge A"]  # Egypt before Germany


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_states_csv_has_the_name_in_the_request_language_and_in_english(client, named):
    rows = {r["code"]: r for r in _csv(_get(client, "/states/?format=csv", "ar"))}
    assert rows["DEU"]["name"] == "ألمانيا"
    assert rows["DEU"]["name_en"] == "Germany"
    assert rows["DEU"]["name_fr"] == "Allemagne"
    rows = {r["code"]: r for r in _csv(_get(client, "/states/?format=csv", "fr"))}
    assert (rows["EGY"]["name"], rows["EGY"]["name_en"]) == ("Égypte", "Egypt")
    header = list(_csv(_get(client, "/states/?format=csv", "en"))[0])
    assert header[:3] == ["code", "name", "name_en"]


def test_the_commitments_csv_names_the_state_in_both(client, named):
    rows = _csv(_get(client, "/commitments/?format=csv", "es"))
    pledge = next(r for r in rows if r["title"] == "Pledge A")
    assert (pledge["state_name"], pledge["state_name_en"]) == ("Alemania", "Germany")


def test_the_state_feed_is_titled_in_the_readers_language(client, named):
    body = _get(client, "/states/DEU/updates.atom", "fr").content.decode()
    assert "Allemagne" in body and "Germany" not in body


def test_the_api_keeps_the_english_name_and_adds_all_four(client, named):
    client.cookies["django_language"] = "ar"
    data = client.get("/api/v1/member-states/DEU/", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert data["name"] == "Germany"
    assert data["names"] == {"en": "Germany", "fr": "Allemagne", "es": "Alemania", "ar": "ألمانيا"}
    assert "name_fr" not in data
    found = client.get("/api/v1/member-states/", {"search": "ألمانيا"}).json()["results"]
    assert [s["code"] for s in found] == ["DEU"]


def test_the_api_stats_name_states_in_english_whatever_the_language(client, named):
    data = client.get("/api/v1/stats/", HTTP_ACCEPT_LANGUAGE="ar").json()
    names = [s["name"] for s in data["overdue"]["states"]]
    assert names and all(LATIN.search(name) for name in names)
