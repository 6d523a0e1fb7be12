"""The public side of revisions and the ledger: the commitment page, profiles, CSV, zip, feeds,
the /data/ page and the API (revisions, ledger, head, deletions, the head on every list)."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from commitments import ledger
from commitments.models import Commitment, Status
from commitments.services import (
    commitment_create,
    commitment_remove,
    commitment_revise,
    progress_update_create,
    revision_request_create,
    revision_request_decide,
)
from tests.factories import PreventionStepFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def moved(secretariat, focal_point_a, state_a):
    """A pledge whose target the secretariat moved at the focal point's request."""
    commitment = commitment_create(
        user=secretariat,
        state=state_a,
        step=PreventionStepFactory(),
        title="Atrocity risk assessment",
        description="Assess the risks.",
        source_kind=Commitment.SourceKind.GA_DIALOGUE,
        source_description="GA dialogue 2024",
        pledged_on=datetime.date(2024, 1, 10),
        target_date=datetime.date(2026, 6, 30),
    )
    request = revision_request_create(
        user=focal_point_a,
        commitment=commitment,
        changes={"target_date": datetime.date(2027, 12, 31)},
        reason="The budget law was postponed.",
    )
    revision_request_decide(user=secretariat, revision_request=request, approve=True)
    return commitment


def test_the_commitment_page_says_the_target_moved_by_whom_and_why(client, moved):
    response = client.get(moved.get_absolute_url())
    text = response.content.decode()
    # The dates in the reader's format, as every other date on the page (not the stored ISO).
    assert (
        "Target moved from <strong>June 30, 2026</strong> to <strong>Dec. 31, 2027</strong>" in text
    )
    assert "by the secretariat, at the request of the focal point" in text
    assert "The budget law was postponed." in text
    assert "moved once" in text


def test_the_commitment_page_costs_six_queries(client, moved, django_assert_max_num_queries):
    # commitment (+State, step, latest update), resolutions, channels, updates, evidence,
    # revisions; plus the site-wide demo-data flag (cached after the first request).
    client.get(moved.get_absolute_url())
    with django_assert_max_num_queries(7):
        assert client.get(moved.get_absolute_url()).status_code == 200


def test_the_commitment_page_in_arabic_shows_the_revision(client, moved):
    response = client.get(moved.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar")
    text = response.content.decode()
    assert 'dir="rtl"' in text
    assert "The budget law was postponed." in text
    assert "2027-12-31" not in text
    with translation.override("ar"):
        assert date_format(datetime.date(2027, 12, 31), "DATE_FORMAT") in text
        assert translation.gettext("Changes to the pledge") in text
        assert translation.gettext("Changes to the pledge") != "Changes to the pledge"


def test_the_profile_counts_targets_moved(client, moved, state_a):
    response = client.get(f"/states/{state_a.code}/")
    assert response.context["review"]["targets_moved"] == 1
    assert "Targets moved" in response.content.decode()


def test_the_states_csv_counts_targets_moved(client, moved, state_b):
    response = client.get("/states/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["GHA"]["targets_moved"] == "1"
    assert rows["DNK"]["targets_moved"] == "0"


def test_the_commitments_csv_has_days_overdue_and_target_missed(client, moved):
    response = client.get("/commitments/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["target_date"] == "2027-12-31"
    assert rows[0]["target_missed"] == "false"
    assert int(rows[0]["days_overdue"]) >= 0


def test_the_updates_feed_carries_the_revision(client, moved):
    body = client.get("/updates.atom").content.decode()
    assert "Target moved — Ghana: Atrocity risk assessment (June 30, 2026 → Dec. 31, 2027)" in body
    assert "The budget law was postponed." in body
    body = client.get(f"/commitments/{moved.pk}/updates.atom").content.decode()
    assert f"revision-{moved.revisions.get().pk}" in body


def test_the_ledger_head_feed_has_one_entry_per_day(client, moved, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        body = client.get("/data/ledger-head.atom").content.decode()
    head = ledger.head()
    assert body.count("<entry>") == 1
    assert head.hash in body


def test_the_data_page_shows_the_head_and_what_it_proves(client, moved):
    response = client.get("/data/")
    text = response.content.decode()
    head = ledger.head()
    assert head.hash in text
    assert "What this proves:" in text
    assert "What it does not prove:" in text


def test_the_zip_carries_the_ledger_the_head_and_the_revisions(moved):
    from tracker import exports

    buffer = io.BytesIO()
    exports.write_open_data_zip(buffer, "v", built_at=timezone.now())
    archive = zipfile.ZipFile(buffer)
    lines = archive.read("ledger.jsonl").decode().splitlines()
    head = ledger.head()
    assert len(lines) == head.sequence
    assert json.loads(lines[-1])["hash"] == head.hash
    package = json.loads(archive.read("datapackage.json"))
    assert package["ledger_head"]["sequence"] == head.sequence
    assert package["ledger_head"]["hash"] == head.hash
    revisions = archive.read("csv/commitment_revisions.csv").decode("utf-8-sig")
    assert "The budget law was postponed." in revisions
    assert "requested_by" not in revisions.splitlines()[0].split(",")  # private
    assert "focal-point" in revisions


# --- API -----------------------------------------------------------------------------------------


def test_revisions_api_lists_public_fields_only_with_filters(client, moved, state_b):
    response = client.get(API + "commitment-revisions/")
    [row] = response.json()["results"]
    assert row == {
        "id": row["id"],
        "commitment": moved.pk,
        "member_state": "GHA",
        "field": "target_date",
        "before": "2026-06-30",
        "after": "2027-12-31",
        "reason": "The budget law was postponed.",
        "requested_by_role": "focal-point",
        "created_at": row["created_at"],
        "is_demo": False,
    }
    assert client.get(API + "commitment-revisions/?member_state=DNK").json()["count"] == 0
    assert client.get(API + "commitment-revisions/?field=title").json()["count"] == 0
    assert client.get(API + "commitment-revisions/?field=target_date").json()["count"] == 1
    assert client.get(API + f"commitment-revisions/?commitment={moved.pk}").json()["count"] == 1
    assert client.get(API + "commitment-revisions/?field=nonsense").status_code == 400


def test_revisions_api_query_count_is_pinned(client, moved, secretariat, django_assert_num_queries):
    for n in range(20):
        commitment_revise(
            user=secretariat,
            commitment=moved,
            changes={"review_interval_days": 30 + n},
            reason=f"Change {n}",
        )
    # (1) data versions with the ledger head, (2) keys, (3) rows with their commitment's
    # State; the first numbered page after a change also counts the rows once (then cached)
    with django_assert_num_queries(4):
        response = client.get(API + "commitment-revisions/?page_size=100")
    assert response.json()["count"] == 21
    with django_assert_num_queries(3):
        assert client.get(API + "commitment-revisions/?page_size=10").json()["count"] == 21


def test_every_list_carries_the_ledger_head(client, moved):
    head = ledger.head()
    for path in ("commitments/", "progress-updates/", "commitment-revisions/", "member-states/"):
        assert client.get(API + path)["X-Ledger-Head"] == f"{head.sequence}:{head.hash}", path
    # An empty list too.
    assert client.get(API + "commitments/?member_state=DNK")["X-Ledger-Head"] == str(head)


def test_a_304_carries_the_new_ledger_head(client, moved, secretariat):
    """The ETag follows the rows a list shows (D-16-1); the ledger head is a header, sent on
    the 304 too, so a mirror that revalidates learns the new head without re-reading rows."""
    first = client.get(API + "commitment-revisions/")
    commitment_create(
        user=secretariat,
        state=moved.state,
        step=moved.step,
        title="Another",
        description="d",
        source_kind="upr",
        source_description="s",
        pledged_on=datetime.date(2024, 1, 1),
    )
    response = client.get(API + "commitment-revisions/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response["X-Ledger-Head"] != first["X-Ledger-Head"]
    assert response["X-Ledger-Head"] == str(ledger.head())


def test_commitments_api_has_days_overdue_and_target_missed(client, moved):
    from commitments.models import Commitment as C

    C.objects.filter(pk=moved.pk).update(
        target_date=datetime.date(2024, 6, 1),
        next_review_due=timezone.localdate() - datetime.timedelta(days=12),
    )
    row = client.get(API + "commitments/").json()["results"][0]
    assert row["target_missed"] is True
    assert row["days_overdue"] == 12
    assert row["is_overdue"] is True


def test_the_ledger_api_pages_by_sequence(client, moved, django_assert_num_queries):
    with django_assert_num_queries(2):  # (1) head, (2) the page
        first = client.get(API + "ledger/?limit=1").json()
    assert [e["sequence"] for e in first["results"]] == [1]
    assert first["next"].endswith("after=1&limit=1") or "after=1" in first["next"]
    rest = client.get(API + "ledger/?after=1").json()
    assert [e["sequence"] for e in rest["results"]] == [2]
    assert rest["next"] is None
    assert rest["head"] == ledger.head().as_dict()
    entry = rest["results"][0]
    assert entry["hash"] == ledger.entry_hash(entry)
    assert client.get(API + "ledger/?limit=0").status_code == 400
    assert client.get(API + "ledger/?after=x").status_code == 400
    assert client.get(API + "ledger/?state=DNK").json()["results"] == []


def test_the_ledger_head_endpoint(client, moved):
    body = client.get(API + "ledger/head/").json()
    assert body == ledger.head().as_dict()


def test_deletions_api_lists_tombstones_since(client, moved, secretariat, focal_point_a):
    progress_update_create(
        user=focal_point_a,
        commitment=moved,
        reported_on=datetime.date(2024, 3, 1),
        status=Status.LIMITED,
        narrative="x",
    )
    before = timezone.now()
    commitment_remove(user=secretariat, commitment=moved, reason="Recorded for the wrong State.")
    [tombstone] = client.get(API + "deletions/").json()
    assert tombstone["subject_type"] == "commitment"
    assert tombstone["subject_id"] == moved.pk
    assert tombstone["reason"] == "Recorded for the wrong State."
    assert tombstone["member_state"] == "GHA"
    assert len(tombstone["also_deleted"]["update"]) == 1
    since = (before + datetime.timedelta(hours=1)).isoformat()
    assert client.get(API + "deletions/", {"since": since}).json() == []
    assert client.get(API + "deletions/", {"since": "yesterday"}).status_code == 400
    # An offset PostgreSQL would refuse is still a time: read in UTC.
    assert client.get(API + "deletions/", {"since": "2026-04-18T13:59:10-16:36"}).status_code == 200
    assert len(client.get(API + "deletions/", {"since": "", "limit": ""}).json()) == 1
    assert client.get(API + "commitment-revisions/").json()["count"] == 0
