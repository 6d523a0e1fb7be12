"""Mirror pages (tracker/api/mirror.py): the unfiltered cursor pages of commitments and progress
updates are read by one compiled statement and encoded outside DRF. They must answer exactly
what the general path answers — same bytes, same headers — in two queries at any depth, and
leave everything else (filters, page numbers, tokens, formats, bad parameters) to it."""

import base64
import datetime
import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Q

from commitments.models import (
    Commitment,
    Evidence,
    ProgressUpdate,
    ScrutinyChannel,
    Status,
    UpdateTranslation,
)
from commitments.selectors import review_today
from commitments.services import EvidenceLink, progress_update_create
from focalpoints.tokens import api_token_issue
from tests.commitments.upload_samples import tiny_pdf
from tests.factories import CommitmentFactory, ResolutionFactory
from tracker.api import mirror, views

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="mirror pages run on PostgreSQL only"
)

API = "/api/v1/"
LISTS = ["commitments/", "progress-updates/"]


def cursor(key: int) -> str:
    raw = json.dumps({"o": ["id"], "v": [key]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(secretariat, state_a, state_b, media):
    """Rows with every kind of value a page shows: channels and resolutions, a withdrawn and an
    overdue commitment, corrections, link and document evidence, translations, a narrative
    with the line separators JSON escapes, non-Latin text, empty and null fields."""
    parliament = ScrutinyChannel.objects.create(code="parliament", name="Parliament")
    civil = ScrutinyChannel.objects.create(code="civil-society", name="Civil society")
    resolution = ResolutionFactory()
    commitments = []
    for index in range(14):
        commitment = CommitmentFactory(
            state=state_a if index % 2 else state_b,
            title=f"التزام {index} — engagement «{index}»",
            source_url="https://example.org/pledge" if index % 3 else "",
            target_date=datetime.date(2024, 1, 20) if index % 4 == 0 else None,
        )
        if index % 2:
            commitment.channels.add(parliament, civil)
        if index % 5 == 0:
            commitment.resolutions.add(resolution)
        first = progress_update_create(
            user=secretariat,
            commitment=commitment,
            reported_on=datetime.date(2024, 2, 1),
            status=Status.LIMITED,
            narrative=f'Line one\u2028line two\u2029 — {index} "quoted" \\ back\tslash',
            links=[EvidenceLink(url=f"https://example.org/r/{index}", title="Report")],
        )
        if index % 3 == 0:
            progress_update_create(
                user=secretariat,
                commitment=commitment,
                reported_on=datetime.date(2024, 3, 1),
                status=Status.SUBSTANTIAL,
                narrative="Corrected.",
                corrects=first,
            )
        if index % 4 == 1:
            Evidence.objects.create(
                update=first,
                kind="file",
                title=f"Décret n° {index}",
                file=ContentFile(tiny_pdf(), name="decree.pdf"),
                content_type="application/pdf",
                size_bytes=100,
                sha256="a" * 64,
            )
            UpdateTranslation.objects.create(update=first, language="fr", narrative="Fait.")
            UpdateTranslation.objects.create(update=first, language="ar", narrative="تم.")
        commitments.append(commitment)
    withdrawn = Commitment.objects.filter(pk=commitments[-1].pk)
    withdrawn.update(withdrawn_on=datetime.date(2024, 6, 1), status=Status.WITHDRAWN)
    # Times on a whole second: written without a fraction, as ``isoformat`` writes them.
    whole = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    Commitment.objects.filter(pk=commitments[0].pk).update(created_at=whole, updated_at=whole)
    # Each derived field on both sides of its rule's edge, as of today (the mirror statement
    # computes them in SQL, the general path in Python).
    today = review_today()
    later = today + datetime.timedelta(days=30)
    for index, values in enumerate(edges(today), start=1):
        Commitment.objects.filter(pk=commitments[index].pk).update(
            **{"next_review_due": later, "target_date": None, **values}
        )
    return commitments


def edges(today):
    day = datetime.timedelta(days=1)
    return [
        {"next_review_due": today},
        {"next_review_due": today - day},
        {"next_review_due": None, "status": Status.COMPLETE, "independent_status": "complete"},
        {"target_date": today - day, "status": Status.COMPLETE, "next_review_due": None},
        {"target_date": today, "status": Status.SUBSTANTIAL},
        {
            "target_date": today - day,
            "status": Status.WITHDRAWN,
            "independent_status": "limited",
            "next_review_due": None,
        },
        {"status": Status.LIMITED, "independent_status": "substantial"},
        {"status": Status.NOT_REPORTED, "independent_status": "limited"},
        {"status": Status.SUBSTANTIAL, "independent_status": "substantial", "statement_url": ""},
        {"next_review_due": today - 40 * day, "statement_url": "https://example.org/s"},
    ]


def general(monkeypatch, client, url, **headers):
    """The same request answered by the general path."""
    with monkeypatch.context() as patch:
        patch.setattr(mirror, "page", lambda view, request: None)
        return client.get(url, **headers)


HEADERS = [
    "Content-Type",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "Link",
    "X-Ledger-Head",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("size", [1, 5, 100, 1000])
def test_every_mirror_page_is_the_general_paths_byte_for_byte(
    client, world, monkeypatch, path, size
):
    url, pages = API + path + f"?cursor={cursor(0)}&page_size={size}", 0
    while url:
        fast = client.get(url)
        slow = general(monkeypatch, client, url)
        assert fast.status_code == slow.status_code == 200
        assert fast.content == slow.content
        for name in HEADERS:
            assert fast.get(name) == slow.get(name), name
        url, pages = fast.json()["next"], pages + 1
    rows = ProgressUpdate.objects.count() if path == "progress-updates/" else len(world)
    assert pages == -(-rows // size)


def test_the_rows_carry_what_the_fixture_made(client, world):
    updates = client.get(API + f"progress-updates/?cursor={cursor(0)}&page_size=1000").json()
    documents = [e for u in updates["results"] for e in u["evidence"] if e["kind"] == "file"]
    assert documents and all(e["file"].startswith("http://testserver/evidence/") for e in documents)
    assert any(u["translations"] for u in updates["results"])
    assert any(u["corrected_by"] for u in updates["results"])
    body = client.get(API + f"progress-updates/?cursor={cursor(0)}").content
    assert b"\\u2028" in body and "\u2028".encode() not in body
    commitments = client.get(API + f"commitments/?cursor={cursor(0)}").json()["results"]
    assert any(c["channels"] == ["civil-society", "parliament"] for c in commitments)
    assert any(c["status"] == "withdrawn" for c in commitments)
    assert "2024-05-01T12:00:00Z" in {c["updated_at"] for c in commitments}
    assert any(c["is_overdue"] for c in commitments)


def test_the_derived_fields_follow_their_rules_at_the_edges(client, world):
    page = client.get(API + f"commitments/?cursor={cursor(0)}&page_size=100").json()["results"]
    shown = {row["id"]: row for row in page}
    edges = [shown[commitment.pk] for commitment in world[1:11]]
    fields = ["is_overdue", "days_overdue", "target_missed", "independently_assessed", "disagrees"]
    assert [[row[name] for name in fields] for row in edges] == [
        [False, 0, False, False, False],  # due today: not yet overdue
        [True, 1, False, False, False],  # due yesterday: one day overdue
        [False, 0, False, True, False],  # complete on both sides
        [False, 0, False, False, False],  # target passed, but complete
        [False, 0, False, False, False],  # target is today: not yet missed
        [False, 0, True, True, True],  # target passed and withdrawn: missed
        [False, 0, False, True, True],  # a level apart
        [False, 0, False, True, False],  # no claim from the government
        [False, 0, False, True, False],  # the same level
        [True, 40, False, False, False],
    ]
    assert edges[8]["statement_url"] is None
    assert edges[9]["statement_url"] == "https://example.org/s"
    assert {row["source_url"] for row in page} == {None, "https://example.org/pledge"}


@pytest.mark.parametrize("path", LISTS)
def test_a_mirror_page_costs_two_queries_at_any_depth(
    client, world, path, django_assert_num_queries
):
    url = API + path + f"?cursor={cursor(0)}&page_size=3"
    while url:
        with django_assert_num_queries(2):
            url = client.get(url).json()["next"]


@pytest.mark.parametrize("path", LISTS)
def test_a_revalidated_mirror_page_costs_one_query(client, world, path, django_assert_num_queries):
    url = API + path + f"?cursor={cursor(0)}"
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag
    assert response["X-Ledger-Head"]


@pytest.mark.parametrize("path", LISTS)
def test_the_etag_changes_when_a_row_of_the_page_changes(client, world, secretariat, path):
    url = API + path + f"?cursor={cursor(0)}"
    before = client.get(url)["ETag"]
    assert client.get(url)["ETag"] == before
    progress_update_create(
        user=secretariat,
        commitment=world[0],
        reported_on=datetime.date(2024, 4, 1),
        status=Status.COMPLETE,
        narrative="Done.",
    )
    assert client.get(url)["ETag"] != before


@pytest.mark.parametrize(
    "query",
    [
        "status=limited",  # a filter
        "ordering=created_at",  # another order
        "search=Line",
        "page=2",  # with a cursor: an error the general path words
        "format=csv",
        "format=jsonl",
    ],
)
def test_anything_but_a_bare_cursor_takes_the_general_path(
    client, world, monkeypatch, query, django_assert_max_num_queries
):
    url = API + "commitments/" + f"?cursor={cursor(0)}&page_size=5&{query}"
    taken = []
    real = mirror.KeysetStatement.rows
    monkeypatch.setattr(
        mirror.KeysetStatement, "rows", lambda *a, **k: taken.append(1) or real(*a, **k)
    )
    fast = client.get(url)
    monkeypatch.setattr(mirror, "page", lambda view, request: None)
    slow = client.get(url)
    assert not taken
    assert fast.status_code == slow.status_code
    assert fast.content == slow.content


@pytest.mark.parametrize(
    "query",
    ["page_size=0", "page_size=1001", "page_size=x", "page_size=5&page_size=6", "cursor=!!"],
)
def test_bad_parameters_get_the_general_paths_errors(client, world, query):
    url = API + "progress-updates/" + f"?cursor={cursor(0)}&{query}"
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_cursor_of_another_order_is_refused_as_before(client, world):
    raw = json.dumps({"o": ["created_at", "id"], "v": ["2024-01-01T00:00:00+00:00", 1]})
    value = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    response = client.get(API + f"commitments/?cursor={value}")
    assert response.status_code == 400


def test_a_token_is_checked_by_the_general_path(client, world, focal_point_a):
    url = API + f"commitments/?cursor={cursor(0)}"
    assert client.get(url, HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    _token, raw = api_token_issue(user=focal_point_a, name="mirror")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and len(response.json()["results"]) == len(world)


def test_a_list_that_hides_rows_cannot_take_the_mirror_path(client, world, monkeypatch):
    hidden = views.ProgressUpdateViewSet.get_queryset
    monkeypatch.setattr(
        views.ProgressUpdateViewSet,
        "get_queryset",
        lambda self: hidden(self).filter(is_demo=False),
    )
    with pytest.raises(ImproperlyConfigured):
        client.get(API + f"progress-updates/?cursor={cursor(0)}")


def test_a_commitment_row_is_its_statement_values_in_order():
    """Every commitment field is a column or derived in SQL, and the statement lists them in
    the output's order: a row's output is its first values zipped with the names (D-16-27).
    Updates show nested evidence and translations, so their rows are picked."""
    commitments = views.CommitmentViewSet.mirror_statement
    encoder = mirror.RowEncoder(commitments.serializer_class, list(commitments.columns.values()))
    assert encoder.pick is None and encoder.computed == []
    assert encoder.names == [name for name, _path in commitments.serializer_class.column_paths()]
    updates = views.ProgressUpdateViewSet.mirror_statement
    encoder = mirror.RowEncoder(updates.serializer_class, list(updates.columns.values()))
    assert encoder.pick is not None
    assert [encoder.names[i] for i in encoder.computed] == [
        "translations",
        "is_correction",
        "evidence",
    ]


def test_a_derived_field_the_serializer_lacks_is_refused():
    source = views.RowSource(
        queryset=views.COMMITMENT_SOURCE.queryset,
        columns=views.COMMITMENT_SOURCE.columns,
        derived=lambda today: {"no_such_field": views.holds(Q(pk=1))},
    )
    statement = mirror.KeysetStatement(source, views.serializers.CommitmentSerializer)
    with pytest.raises(ImproperlyConfigured, match="no_such_field"):
        mirror.RowEncoder(statement.serializer_class, list(statement.columns.values()))


@pytest.mark.parametrize("path", LISTS)
def test_a_page_binds_only_its_key_its_day_and_its_limit(client, world, path):
    """The rules' constants are written into the compiled statement (D-16-31): a page binds
    the start key, today (once, however many rules ask) and an unusual limit, nothing else."""
    client.get(API + path + f"?cursor={cursor(0)}&page_size=7")
    viewset = views.CommitmentViewSet if path == "commitments/" else views.ProgressUpdateViewSet
    statements, any_limit = viewset.mirror_statement._compiled
    today = {"today"} if path == "commitments/" else set()
    for sql in statements.values():
        assert "%s" not in sql
        assert sql.count("%(after)s") == 1
        assert set(re.findall(r"%\((\w+)\)s", sql)) == {"after"} | today
    assert any_limit.endswith("LIMIT %(limit)s")
    assert set(re.findall(r"%\((\w+)\)s", any_limit)) == {"after", "limit"} | today


def test_constants_are_written_in_as_literals_and_a_percent_survives(db):
    sql = mirror._with_constants(
        "SELECT %s AS a, %s AS b, '100%%' AS c, %s AS d WHERE %s > 0 AND 1 > %s",
        ["5% off", True, mirror._SENTINEL_DAY, 2, mirror._SENTINEL],
    )
    assert sql == (
        "SELECT '5%% off' AS a, true AS b, '100%%' AS c, %(today)s AS d "
        "WHERE 2 > 0 AND 1 > %(after)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"after": 0, "today": datetime.date(2026, 1, 2)})
        assert cursor.fetchall() == [("5% off", True, "100%", datetime.date(2026, 1, 2))]


@pytest.mark.parametrize(
    "sql, params",
    [
        ("SELECT 1 WHERE 1 > %s", [mirror._SENTINEL, True]),  # a value with no place
        ("SELECT %s WHERE 1 > 0", [True]),  # no start key
        ("SELECT %s WHERE 1 > %s", [datetime.date(2026, 1, 2), mirror._SENTINEL]),  # a fixed day
    ],
)
def test_a_statement_whose_parameters_do_not_line_up_is_refused(db, sql, params):
    with pytest.raises(ImproperlyConfigured):
        mirror._with_constants(sql, params)
