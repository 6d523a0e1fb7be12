"""Bulk paths: a whole list as CSV or JSON Lines, streamed from a server-side cursor in
constant memory (the same columns, formula guard, filters and order as the pages), counted
against the client's download allowance."""

import csv
import io
import json
import tracemalloc

import pytest
from django.conf import settings
from django.test import override_settings

from commitments.models import Commitment, ProgressUpdate, Status
from tests.factories import CommitmentFactory, PreventionStepFactory, ProgressUpdateFactory
from tracker.api import streaming

API = "/api/v1/"


def body(response) -> str:
    assert response.streaming, "a whole list is streamed"
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def rows(state_a, state_b):
    step = PreventionStepFactory(code="N1")
    commitments = [
        CommitmentFactory(state=state_a if i % 2 else state_b, step=step) for i in range(7)
    ]
    for commitment in commitments:
        ProgressUpdateFactory(commitment=commitment)
    return commitments


def test_jsonl_streams_the_whole_list_as_the_pages_show_it(client, rows, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK", 3)  # several chunks of the server-side cursor
    response = client.get(API + "commitments/?format=jsonl")
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert 'filename="commitments.jsonl"' in response["Content-Disposition"]
    assert response["ETag"]
    lines = [json.loads(line) for line in body(response).splitlines()]
    paged = client.get(API + "commitments/?page_size=1000").json()["results"]
    assert lines == paged
    assert len(lines) == 7


def test_csv_streams_the_whole_list_with_the_renderers_columns(client, rows, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK", 2)
    streamed = body(client.get(API + "progress-updates/?format=csv"))
    paged = client.get(API + "progress-updates/?format=csv&page_size=1000").content.decode()
    assert streamed == paged  # one field list, one formula guard
    assert len(list(csv.DictReader(io.StringIO(streamed)))) == 7


def test_streams_apply_filters_and_order(client, rows, state_a):
    text = body(client.get(API + "commitments/?format=jsonl&member_state=GHA&ordering=-pledged_on"))
    got = [json.loads(line)["id"] for line in text.splitlines()]
    expected = list(
        Commitment.objects.filter(state=state_a)
        .order_by("-pledged_on", "id")
        .values_list("pk", flat=True)
    )
    assert got == expected


def test_csv_stream_guards_formulas(client, rows, state_a):
    CommitmentFactory(state=state_a, title="=1+1")
    text = body(client.get(API + "commitments/?format=csv&search=1%2B1"))
    assert "'=1+1" in text


def test_a_page_in_jsonl_is_a_page(client, rows):
    response = client.get(API + "commitments/?format=jsonl&page_size=3")
    assert not response.streaming
    assert len(response.content.decode().splitlines()) == 3
    assert 'rel="next"' in response["Link"]


def test_stream_of_an_empty_list_is_a_header_or_nothing(client, db):
    assert body(client.get(API + "commitments/?format=jsonl")) == ""
    header = body(client.get(API + "commitments/?format=csv")).splitlines()
    assert header[0].startswith("id,member_state,")


def test_streams_are_conditional_too(client, rows):
    etag = client.get(API + "commitments/?format=csv")["ETag"]
    response = client.get(API + "commitments/?format=csv", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_whole_list_downloads_count_against_the_download_allowance(client, rows):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "downloads": "2/day"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        for _ in range(3):  # pages are not downloads
            assert client.get(API + "commitments/?format=csv&page=1").status_code == 200
        assert client.get(API + "commitments/?format=csv").status_code == 200
        assert client.get(API + "progress-updates/?format=jsonl").status_code == 200
        refused = client.get(API + "commitments/?format=jsonl")
    assert refused.status_code == 429
    assert refused["Retry-After"]


def _peak_streaming(client, path) -> int:
    tracemalloc.start()
    try:
        response = client.get(path)
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_list(client, state_a, monkeypatch):
    """Peak memory while streaming 4,000 updates is no more than while streaming 1,000 plus a
    margin: rows are read in chunks from a cursor and dropped once written."""
    monkeypatch.setattr(streaming, "CHUNK", 250)
    commitment = CommitmentFactory(state=state_a)
    narrative = "x" * 400

    def add(n):
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                commitment=commitment,
                reported_on=commitment.pledged_on,
                status=Status.LIMITED,
                narrative=narrative,
            )
            for _ in range(n)
        )

    add(1000)
    small_peak, small_size = _peak_streaming(client, API + "progress-updates/?format=jsonl")
    add(3000)
    big_peak, big_size = _peak_streaming(client, API + "progress-updates/?format=jsonl")
    assert big_size > 3.5 * small_size
    assert big_peak < small_peak * 1.5
