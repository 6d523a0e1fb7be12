"""Atom feeds of progress updates: all, per State, per commitment."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from commitments.models import Status
from tests.factories import CommitmentFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def updates(state_a, state_b):
    ghana = CommitmentFactory(state=state_a, title="Ghana pledge")
    denmark = CommitmentFactory(state=state_b, title="Denmark pledge")
    original = ProgressUpdateFactory(
        commitment=ghana, reported_on=datetime.date(2025, 1, 1), narrative="Original text."
    )
    correction = ProgressUpdateFactory(
        commitment=ghana,
        reported_on=datetime.date(2025, 1, 2),
        corrects=original,
        status=Status.SUBSTANTIAL,
        narrative="Corrected text.",
    )
    danish = ProgressUpdateFactory(commitment=denmark, narrative="Danish text.")
    return {"ghana": ghana, "original": original, "correction": correction, "danish": danish}


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output, in a test
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "link": e.find(f"{ATOM}link").get("href"),
            "summary": e.findtext(f"{ATOM}summary"),
        }
        for e in root.findall(f"{ATOM}entry")
    ]


def test_feed_of_all_updates_lists_every_update_newest_first(client, updates):
    items = entries(client.get("/updates.atom"))
    assert len(items) == 3
    assert items[0]["title"].startswith("Denmark")  # published last
    assert items[0]["link"].endswith(
        f"/commitments/{updates['danish'].commitment_id}/#update-{updates['danish'].pk}"
    )


def test_corrections_are_titled_as_corrections_and_the_original_stays(client, updates):
    items = entries(client.get("/updates.atom"))
    titles = [i["title"] for i in items]
    assert "Correction — Ghana: Ghana pledge (Substantial progress)" in titles
    assert "Ghana: Ghana pledge (Limited progress)" in titles
    correction = next(i for i in items if i["title"].startswith("Correction"))
    assert "corrects an earlier one" in correction["summary"]


def test_state_feed_has_only_that_states_updates(client, updates):
    items = entries(client.get("/states/GHA/updates.atom"))
    assert len(items) == 2
    assert all("Ghana" in i["title"] for i in items)


def test_commitment_feed_has_only_its_updates(client, updates):
    items = entries(client.get(f"/commitments/{updates['ghana'].pk}/updates.atom"))
    assert {i["summary"].split("\n")[-1] for i in items} == {"Original text.", "Corrected text."}


def test_feed_of_unknown_state_or_commitment_is_404(client, updates):
    assert client.get("/states/XXX/updates.atom").status_code == 404
    assert client.get("/commitments/999999/updates.atom").status_code == 404


def test_empty_feed_is_valid(client, db):
    assert entries(client.get("/updates.atom")) == []
