"""The public read API: resources, filters, ordering, pagination, CSV, conditional GET,
throttling, CORS, the error body, and that nothing private is ever published."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from commitments.models import Status
from commitments.services import progress_update_create
from focalpoints.models import FocalPoint
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)

API = "/api/v1/"
LISTS = [
    "member-states/",
    "focal-points/",
    "resolutions/",
    "prevention-steps/",
    "commitments/",
    "progress-updates/",
]


def get_json(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, response.content
    return response.json()


def content(response) -> bytes:
    """The body, whether rendered or streamed (a whole list as CSV or JSON Lines)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def ids(body, key="id"):
    return [row[key] for row in body["results"]]


@pytest.fixture
def world(state_a, state_b, focal_point_a):
    """Two States, a focal point each (one ended), steps on two levels, commitments in several
    statuses, updates with a correction, resolutions."""
    national = PreventionStepFactory(code="N1", level="national")
    un_step = PreventionStepFactory(code="U1", level="un-system")
    FocalPointFactory(state=state_a, appointed_on=datetime.date(2019, 1, 15))
    FocalPointFactory(
        state=state_b, appointed_on=datetime.date(2010, 1, 1), ended_on=datetime.date(2015, 1, 1)
    )
    a1 = CommitmentFactory(state=state_a, step=national, pledged_on=datetime.date(2020, 1, 1))
    a2 = CommitmentFactory(state=state_a, step=un_step, pledged_on=datetime.date(2024, 6, 1))
    b1 = CommitmentFactory(state=state_b, step=national, pledged_on=datetime.date(2023, 1, 1))
    first = progress_update_create(
        user=focal_point_a,
        commitment=a1,
        reported_on=datetime.date(2020, 6, 1),
        status=Status.LIMITED,
        narrative="Began.",
    )
    progress_update_create(
        user=focal_point_a,
        commitment=a1,
        reported_on=datetime.date(2020, 6, 1),
        status=Status.SUBSTANTIAL,
        narrative="Corrected: more than we said.",
        corrects=first,
    )
    ResolutionFactory(body="SC", symbol="S/RES/1674 (2006)", adopted_on=datetime.date(2006, 4, 28))
    hrc = ResolutionFactory(
        body="HRC", symbol="A/HRC/RES/48/1", adopted_on=datetime.date(2021, 10, 8)
    )
    hrc.states.add(state_a)
    for c in (a1, a2, b1):
        c.refresh_from_db()
    return {"a1": a1, "a2": a2, "b1": b1, "first": first}


# --- Resources ------------------------------------------------------------------------------


def test_member_state_shows_focal_point_and_counts_by_status(client, world):
    body = get_json(client, API + "member-states/GHA/")
    assert body["code"] == "GHA"
    assert body["has_focal_point"] is True
    assert body["focal_point_since"] == "2019-01-15"
    assert body["commitments_total"] == 2
    assert body["commitments_by_status"]["substantial"] == 1
    assert body["commitments_by_status"]["not-reported"] == 1
    dnk = get_json(client, API + "member-states/DNK/")
    assert dnk["has_focal_point"] is False  # its only appointment ended
    assert dnk["focal_point_since"] is None


def test_member_state_counts_overdue_reviews(client, world):
    with time_machine.travel(datetime.date(2030, 1, 1)):
        body = get_json(client, API + "member-states/GHA/")
    assert body["overdue_reviews"] == 2


def test_unknown_member_state_is_404_with_the_error_body(client, world):
    response = client.get(API + "member-states/ZZZ/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": response.json()["detail"],
        "errors": {},
    }


def test_commitment_detail_includes_the_timeline_with_the_correction_linked(client, world):
    body = get_json(client, API + f"commitments/{world['a1'].pk}/")
    assert body["status"] == "substantial"
    timeline = body["updates"]
    assert [u["status"] for u in timeline] == ["limited", "substantial"]
    original, correction = timeline
    assert correction["corrects"] == original["id"]
    assert original["corrected_by"] == correction["id"]
    assert correction["is_correction"] is True
    assert body["latest_update"] == correction["id"]


def test_dates_are_iso_8601_and_times_utc(client, world):
    row = get_json(client, API + f"commitments/{world['a1'].pk}/")
    assert row["pledged_on"] == "2020-01-01"
    assert row["updated_at"].endswith("Z")
    datetime.datetime.fromisoformat(row["updated_at"].replace("Z", "+00:00"))


def test_commitments_and_updates_carry_is_demo(client, world):
    demo = CommitmentFactory(state=world["a1"].state, is_demo=True)
    rows = get_json(client, API + "commitments/?is_demo=true")["results"]
    assert [r["id"] for r in rows] == [demo.pk]
    assert all("is_demo" in u for u in get_json(client, API + "progress-updates/")["results"])
    assert demo.pk not in ids(get_json(client, API + "commitments/?is_demo=false"))


def test_blank_urls_are_null(client, world):
    row = get_json(client, API + "focal-points/")["results"][0]
    assert row["source_url"] is None


# --- Filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("member_state=GHA", {"a1", "a2"}),
        ("member_state=DNK", {"b1"}),
        ("regional_group=african", {"a1", "a2"}),
        ("regional_group=western-european-others", {"b1"}),
        ("status=substantial", {"a1"}),
        ("status=not-reported", {"a2", "b1"}),
        ("step=N1", {"a1", "b1"}),
        ("level=un-system", {"a2"}),
        ("search=Commitment", {"a1", "a2", "b1"}),
    ],
)
def test_commitment_filters(client, world, query, expected):
    body = get_json(client, API + "commitments/?" + query)
    assert set(ids(body)) == {world[key].pk for key in expected}


def test_commitment_overdue_filter_judges_today(client, world):
    a1, a2 = world["a1"], world["a2"]
    assert a1.next_review_due < a2.next_review_due
    # On the day a2's review falls due it is not yet overdue; a1's passed long ago.
    with time_machine.travel(a2.next_review_due):
        overdue = set(ids(get_json(client, API + "commitments/?overdue=true")))
        on_time = set(ids(get_json(client, API + "commitments/?overdue=false")))
    assert a1.pk in overdue
    assert a2.pk in on_time
    assert overdue | on_time == {world[k].pk for k in ("a1", "a2", "b1")}
    # The day after, it is.
    with time_machine.travel(a2.next_review_due + datetime.timedelta(days=1)):
        assert a2.pk in ids(get_json(client, API + "commitments/?overdue=true"))


def test_updated_since_returns_rows_changed_at_or_after(client, world):
    later = timezone.now() + datetime.timedelta(seconds=1)
    with time_machine.travel(later + datetime.timedelta(seconds=1), tick=False):
        progress_update_create(
            user=world["first"].author,
            commitment=world["a2"],
            reported_on=datetime.date(2024, 7, 1),
            status=Status.NOT_STARTED,
            narrative="Planning.",
        )
    since = later.isoformat().replace("+00:00", "Z")
    assert ids(get_json(client, API + "commitments/", data={"updated_since": since})) == [
        world["a2"].pk
    ]
    updates = get_json(client, API + "progress-updates/", data={"updated_since": since})
    assert [u["commitment"] for u in updates["results"]] == [world["a2"].pk]
    states = get_json(client, API + "member-states/", data={"updated_since": since})
    assert ids(states, "code") == ["GHA"]  # a commitment change counts as a change of its State
    assert get_json(client, API + "resolutions/", data={"updated_since": since})["count"] == 0


def test_updated_since_accepts_a_plain_date(client, world):
    assert get_json(client, API + "commitments/?updated_since=2000-01-01")["count"] == 3
    assert get_json(client, API + "commitments/?updated_since=2999-01-01")["count"] == 0


def test_member_state_filters(client, world):
    MemberStateFactory(
        code="EUU", name="European Union", kind="regional-organisation", regional_group=""
    )
    assert ids(get_json(client, API + "member-states/?regional_group=african"), "code") == ["GHA"]
    assert ids(get_json(client, API + "member-states/?has_focal_point=true"), "code") == ["GHA"]
    assert ids(get_json(client, API + "member-states/?kind=regional-organisation"), "code") == [
        "EUU"
    ]
    assert ids(get_json(client, API + "member-states/?search=Denm"), "code") == ["DNK"]


def test_focal_point_filters(client, world):
    assert [
        r["member_state"] for r in get_json(client, API + "focal-points/?current=true")["results"]
    ] == ["GHA"]
    assert [
        r["member_state"] for r in get_json(client, API + "focal-points/?current=false")["results"]
    ] == ["DNK"]
    assert get_json(client, API + "focal-points/?member_state=DNK")["count"] == 1
    assert get_json(client, API + "focal-points/?regional_group=african")["count"] == 1


def test_resolution_filters(client, world):
    def symbols(query):
        return [r["symbol"] for r in get_json(client, API + "resolutions/?" + query)["results"]]

    assert symbols("body=SC") == ["S/RES/1674 (2006)"]
    assert symbols("year=2021") == ["A/HRC/RES/48/1"]
    assert symbols("member_state=GHA") == ["A/HRC/RES/48/1"]
    assert symbols("search=1674") == ["S/RES/1674 (2006)"]


def test_prevention_step_filter_and_lookup_by_code(client, world):
    assert ids(get_json(client, API + "prevention-steps/?level=national"), "code") == ["N1"]
    assert get_json(client, API + "prevention-steps/U1/")["level"] == "un-system"


def test_progress_update_filters(client, world):
    a1 = world["a1"].pk
    assert get_json(client, API + f"progress-updates/?commitment={a1}")["count"] == 2
    assert get_json(client, API + "progress-updates/?member_state=DNK")["count"] == 0
    assert get_json(client, API + "progress-updates/?since=2020-06-01")["count"] == 2
    assert get_json(client, API + "progress-updates/?since=2020-06-02")["count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "stauts=complete",
        "overdue=maybe",
        "member_state=GH",
        "updated_since=yesterday",
        "ordering=title",
        "ordering=,",
        "page_size=0",
        "page_size=1001",
        "cursor=!!",
        "cursor=eyJvIjpbImlkIl0sInYiOlsiYSJdfQ",
        "page=-1",
        "format=xml",
    ],
)
def test_bad_query_is_refused_with_a_field_error(client, world, query):
    response = client.get(API + "commitments/?" + query)
    assert response.status_code in (400, 406)
    body = response.json()
    assert body["status"] == response.status_code
    if response.status_code == 400:
        assert body["code"] == "invalid"
        assert list(body["errors"]) == [query.split("=")[0]]


# --- Ordering and pagination ------------------------------------------------------------------


def test_default_ordering_is_by_id_and_stable(client, world):
    body = get_json(client, API + "commitments/")
    assert ids(body) == sorted(ids(body))


@pytest.mark.parametrize("field", ["pledged_on", "-pledged_on", "member_state", "-updated_at"])
def test_ordering_breaks_ties_by_id(client, world, field):
    rows = get_json(client, API + f"commitments/?ordering={field}")["results"]
    key = field.lstrip("-")
    source = {"member_state": "member_state"}.get(key, key)
    values = [(r[source], r["id"]) for r in rows]
    expected = sorted(values, key=lambda v: v[0], reverse=field.startswith("-"))
    assert [v[0] for v in values] == [v[0] for v in expected]
    ties = {}
    for value, pk in values:
        ties.setdefault(value, []).append(pk)
    assert all(group == sorted(group) for group in ties.values())


def test_pages_are_bounded_and_linked(client, world):
    body = get_json(client, API + "commitments/?page_size=2")
    assert len(body["results"]) == 2
    assert body["count"] == 3
    # The next link is a cursor (a keyset page), with no count and no previous link.
    assert "cursor=" in body["next"] and "page=" not in body["next"].replace("page_size", "")
    response = client.get(body["next"])
    assert response.json()["count"] is None
    assert len(response.json()["results"]) == 1
    assert response.json()["next"] is None and "Link" not in response
    assert "X-Total-Count" not in response
    # Numbered pages stay for people: page 2 links back to page 1.
    numbered = client.get(API + "commitments/?page_size=2&page=2")
    assert ids(numbered.json()) == ids(response.json())
    assert 'rel="prev"' in numbered["Link"]
    assert numbered["X-Total-Count"] == "3"


def test_an_order_a_cursor_cannot_follow_keeps_page_numbers(client, world):
    body = get_json(client, API + "commitments/?page_size=2&ordering=pledged_on")
    assert "page=2" in body["next"] and "cursor" not in body["next"]
    response = client.get(API + "commitments/?ordering=pledged_on&cursor=eyJvIjpbImlkIl19")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


def test_a_cursor_is_refused_with_a_page_number_or_another_order(client, world):
    cursor = get_json(client, API + "commitments/?page_size=1")["next"].split("cursor=")[1]
    cursor = cursor.split("&")[0]
    for query in (f"cursor={cursor}&page=2", f"cursor={cursor}&ordering=updated_at"):
        response = client.get(API + "commitments/?" + query)
        assert response.status_code == 400, query
        assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.parametrize("path", LISTS)
def test_cursor_pages_walk_every_list_once_in_key_order(client, world, path):
    whole = get_json(client, API + path + "?page_size=1000")["results"]
    key = "code" if path in ("member-states/", "prevention-steps/") else "id"
    seen, url = [], API + path + "?page_size=1"
    while url:
        body = get_json(client, url)
        seen.extend(ids(body, key))
        url = body["next"]
    assert seen == [row[key] for row in whole] and len(seen) == len(set(seen))


def test_page_size_may_be_1000_but_not_more(client, world):
    assert client.get(API + "commitments/?page_size=1000").status_code == 200
    response = client.get(API + "commitments/?page_size=1001")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def test_page_past_the_end_is_404(client, world):
    assert client.get(API + "commitments/?page=9").status_code == 404


def test_paging_by_updated_at_mirrors_every_row_once(client, world):
    seen, url = [], API + "commitments/?ordering=updated_at&page_size=1"
    while url:
        body = get_json(client, url)
        seen.extend(ids(body))
        url = body["next"]
    assert sorted(seen) == sorted(world[k].pk for k in ("a1", "a2", "b1"))
    assert len(seen) == 3


def test_a_mirror_then_syncs_what_changed_since_by_cursor(client, world):
    """The documented recipe: page by (updated_at, id) to the end, remember the largest
    updated_at, then ask for updated_since= it: what changed comes, nothing is missed."""
    rows, url = {}, API + "commitments/?ordering=updated_at&page_size=2"
    while url:
        body = get_json(client, url)
        rows.update({row["id"]: row for row in body["results"]})
        url = body["next"]
    high = max(row["updated_at"] for row in rows.values())
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        ProgressUpdateFactory(commitment=world["a2"], reported_on=datetime.date(2024, 7, 1))
    url = API + f"commitments/?ordering=updated_at&page_size=2&updated_since={high}"
    changed = []
    while url:
        body = get_json(client, url)
        changed.extend(ids(body))
        url = body["next"]
    assert world["a2"].pk in changed
    assert world["b1"].pk not in changed


# --- CSV ----------------------------------------------------------------------------------


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(content(response).decode())))


@pytest.mark.parametrize("path", LISTS)
def test_every_list_has_csv_with_the_same_rows_as_json(client, world, path):
    as_json = get_json(client, API + path)
    rows = read_csv(client.get(API + path + "?format=csv"))
    assert len(rows) == len(as_json["results"])
    assert read_csv(client.get(API + path, HTTP_ACCEPT="text/csv")) == rows


def test_csv_applies_the_same_filters_and_flattens_nested_values(client, world):
    rows = read_csv(client.get(API + "member-states/?format=csv&regional_group=african"))
    assert [r["code"] for r in rows] == ["GHA"]
    assert rows[0]["commitments_by_status.substantial"] == "1"
    assert rows[0]["has_focal_point"] == "true"


def test_csv_header_is_written_for_an_empty_page(client, world):
    response = client.get(API + "commitments/?format=csv&member_state=FIN")
    header = content(response).decode().splitlines()[0].split(",")
    assert header[:3] == ["id", "member_state", "regional_group"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, world):
    CommitmentFactory(state=world["a1"].state, title='=HYPERLINK("http://evil")')
    rows = read_csv(client.get(API + "commitments/?format=csv&search=HYPERLINK"))
    assert rows[0]["title"].startswith("'=")


# --- Conditional GET ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_conditional_get_answers_304_until_the_data_changes(client, world, path):
    first = client.get(API + path)
    etag = first["ETag"]
    assert first["Last-Modified"]
    again = client.get(API + path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_new_update_changes_the_etag_of_commitments_and_updates(client, world):
    etags = {p: client.get(API + p)["ETag"] for p in ("commitments/", "progress-updates/")}
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        ProgressUpdateFactory(commitment=world["b1"], reported_on=datetime.date(2023, 6, 1))
    for path, etag in etags.items():
        assert client.get(API + path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_modified_since_gives_304(client, world):
    last = client.get(API + "resolutions/")["Last-Modified"]
    assert client.get(API + "resolutions/", HTTP_IF_MODIFIED_SINCE=last).status_code == 304


def test_etag_differs_between_json_and_csv(client, world):
    json_etag = client.get(API + "commitments/")["ETag"]
    assert (
        client.get(API + "commitments/?format=csv", HTTP_IF_NONE_MATCH=json_etag).status_code == 200
    )


def test_detail_supports_conditional_get(client, world):
    url = API + f"commitments/{world['a1'].pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


# --- Throttling and CORS ----------------------------------------------------------------------


def low_rates(anon="2/day", user="3/day"):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
        }
    )


def test_anonymous_clients_are_throttled_with_429_and_retry_after(client, world):
    with low_rates():
        assert client.get(API + "commitments/").status_code == 200
        assert client.get(API + "resolutions/").status_code == 200
        response = client.get(API + "commitments/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_token_holders_get_their_own_higher_rate(client, world, focal_point_a):
    from focalpoints.tokens import api_token_issue

    _token, raw = api_token_issue(user=focal_point_a, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    with low_rates():
        for _ in range(2):
            client.get(API + "commitments/")
        assert client.get(API + "commitments/").status_code == 429
        statuses = [client.get(API + "commitments/", **auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_cors_is_open_for_anonymous_reads(client, world):
    response = client.get(API + "commitments/", HTTP_ORIGIN="https://dashboard.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_cors_preflight_does_not_open_the_write_endpoint(client, world):
    response = client.options(
        API + f"commitments/{world['a1'].pk}/progress-updates/",
        HTTP_ORIGIN="https://dashboard.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert "Access-Control-Allow-Origin" not in response


# --- Nothing private --------------------------------------------------------------------------

PRIVATE_VALUES = [
    "Private Person-Name",
    "private.contact@ministry.example",
    "+000 555 0100",
    "INTERNAL NOTE",
    "@example.org",  # users' e-mail addresses (factories)
    "pbkdf2",
    "md5$",
]


def test_no_private_field_or_value_appears_in_any_response(client, world, secretariat):
    from commitments.models import Reminder

    Reminder.objects.create(
        commitment=world["a1"],
        recipient=world["first"].author,
        recipient_email="fp_a@example.org",
        kind="due",
        due_on=datetime.date(2024, 1, 1),
        owed_on=datetime.date(2024, 1, 1),
    )
    client.force_login(secretariat)  # even staff get only the public view through the API
    paths = [*LISTS, "member-states/GHA/", f"commitments/{world['a1'].pk}/"]
    paths += [f"progress-updates/{world['first'].pk}/"]
    paths += [f"focal-points/{pk}/" for pk in FocalPoint.objects.values_list("pk", flat=True)]
    for path in paths:
        for fmt in ("json", "csv", "jsonl"):
            response = client.get(API + path, {"format": fmt})
            assert response.status_code == 200, path
            text = content(response).decode()
            for value in PRIVATE_VALUES:
                assert value not in text, (path, fmt, value)
            for field in (*FocalPoint.PRIVATE_FIELDS, "author", "recipient", "password"):
                assert f'"{field}"' not in text and f",{field}," not in text, (path, field)
    # The private values were there to leak: the test is not vacuous.
    assert FocalPoint.objects.filter(email="private.contact@ministry.example").exists()


def test_schema_documents_no_private_field(client, db):
    text = client.get("/api/schema/?format=json").content.decode()
    schema = json.loads(text)
    for name, component in schema["components"]["schemas"].items():
        for field in FocalPoint.PRIVATE_FIELDS:
            assert field not in component.get("properties", {}), name


def test_docs_page_is_served_with_local_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "https://" not in html
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"  # only styles are relaxed, and only here


def test_list_rows_read_as_plain_values_serialise_as_the_detail_does(client, world):
    """List pages of commitments and updates read plain rows (D-16-11), details read model
    instances: the same row must come out identical, channels, resolutions, evidence,
    translations and corrections included."""
    from commitments.models import UpdateTranslation
    from commitments.services import EvidenceLink
    from tests.factories import ResolutionFactory, ScrutinyChannelFactory

    a1 = world["a1"]
    a1.channels.add(ScrutinyChannelFactory(code="upr"), ScrutinyChannelFactory(code="hrc-sp"))
    a1.resolutions.add(ResolutionFactory())
    update = progress_update_create(
        user=world["first"].author,
        commitment=a1,
        reported_on=datetime.date(2021, 1, 1),
        status=Status.SUBSTANTIAL,
        narrative="With a link.",
        links=[EvidenceLink(url="https://example.org/report", title="Report")],
    )
    UpdateTranslation.objects.create(update=update, language="fr", narrative="Avec un lien.")
    for path in ("commitments/", "progress-updates/"):
        listed = get_json(client, API + path + "?page_size=100")["results"]
        assert listed
        for row in listed:
            detail = get_json(client, API + f"{path}{row['id']}/")
            detail.pop("updates", None)  # the commitment detail's timeline
            detail.pop("assessments", None)  # ... and its published independent assessments
            assert row == detail
    shown = {row["id"]: row for row in get_json(client, API + "progress-updates/")["results"]}
    assert shown[update.pk]["evidence"][0]["url"] == "https://example.org/report"
    assert shown[update.pk]["translations"][0]["narrative"] == "Avec un lien."
    assert shown[world["first"].pk]["corrected_by"] is not None
