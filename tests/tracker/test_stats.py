"""Every dashboard figure against numbers worked out by hand on a small fixture.

The fixture, judged on 15 June 2026 (review interval 180 days everywhere):

==== ====== ===== ============ =========================================== ==================
 id  State  step  pledged      updates                                      derived
==== ====== ===== ============ =========================================== ==================
 c1  GHA    N1    2025-01-01   u1 2025-06-01 limited; u2 2025-06-02          substantial, due
                               substantial *correcting u1*                   2025-11-29: overdue
 c2  GHA    I1    2025-12-17   none                                          not reported, due
                                                                             2026-06-15 (today):
                                                                             not overdue
 c3  KEN    N1    2025-12-16   none                                          not reported, due
                                                                             2026-06-14: overdue
 c4  DNK    N1    2025-01-01   u3 2026-01-10 withdrawn                       withdrawn, no review
 c5  FIN    I1    2025-01-01   u4 2026-02-01 complete                        complete, no review
==== ====== ===== ============ =========================================== ==================

Focal points: GHA current; KEN none; DNK one that ended; FIN current; the EU (a regional
organisation, not a Member State) current. Step U1 (UN system) has no commitment.
"""

import datetime

import pytest
import time_machine

from commitments.models import Status
from focalpoints.models import MemberState, ReferenceFigure
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
)
from tracker import stats

TODAY = datetime.date(2026, 6, 15)
NOON = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fixture(frozen):
    gha = MemberStateFactory(code="GHA", name="Ghana", regional_group="african")
    ken = MemberStateFactory(code="KEN", name="Kenya", regional_group="african")
    dnk = MemberStateFactory(code="DNK", name="Denmark", regional_group="western-european-others")
    fin = MemberStateFactory(code="FIN", name="Finland", regional_group="western-european-others")
    euu = MemberStateFactory(
        code="EUU",
        name="European Union",
        kind=MemberState.Kind.REGIONAL_ORGANISATION,
        regional_group="",
    )
    FocalPointFactory(state=gha, appointed_on=datetime.date(2019, 1, 15))
    FocalPointFactory(
        state=dnk, appointed_on=datetime.date(2015, 1, 1), ended_on=datetime.date(2020, 1, 1)
    )
    FocalPointFactory(state=fin, appointed_on=datetime.date(2012, 5, 1))
    FocalPointFactory(state=euu, appointed_on=datetime.date(2016, 1, 1))
    ReferenceFigure.objects.create(
        key="gn-2023",
        topic=ReferenceFigure.Topic.FOCAL_POINTS,
        value=61,
        statement="61 countries + EU + OAS",
        as_of=datetime.date(2023, 6, 1),
        source_name="Global Network of R2P Focal Points",
    )
    n1 = PreventionStepFactory(code="N1", level="national")
    i1 = PreventionStepFactory(code="I1", level="intergovernmental")
    PreventionStepFactory(code="U1", level="un-system")
    c1 = CommitmentFactory(state=gha, step=n1, pledged_on=datetime.date(2025, 1, 1))
    u1 = ProgressUpdateFactory(
        commitment=c1, reported_on=datetime.date(2025, 6, 1), status=Status.LIMITED
    )
    u2 = ProgressUpdateFactory(
        commitment=c1,
        reported_on=datetime.date(2025, 6, 2),
        status=Status.SUBSTANTIAL,
        corrects=u1,
    )
    c2 = CommitmentFactory(state=gha, step=i1, pledged_on=datetime.date(2025, 12, 17))
    c3 = CommitmentFactory(state=ken, step=n1, pledged_on=datetime.date(2025, 12, 16))
    c4 = CommitmentFactory(state=dnk, step=n1, pledged_on=datetime.date(2025, 1, 1))
    u3 = ProgressUpdateFactory(
        commitment=c4, reported_on=datetime.date(2026, 1, 10), status=Status.WITHDRAWN
    )
    c5 = CommitmentFactory(state=fin, step=i1, pledged_on=datetime.date(2025, 1, 1))
    u4 = ProgressUpdateFactory(
        commitment=c5, reported_on=datetime.date(2026, 2, 1), status=Status.COMPLETE
    )
    return {
        "c": [c1, c2, c3, c4, c5],
        "u": [u1, u2, u3, u4],
        "gha": gha,
    }


def _by(rows, key, value_key):
    return {row[key]: row[value_key] for row in rows}


def test_fixture_derives_the_dates_the_docstring_states(fixture):
    c1, c2, c3, c4, c5 = fixture["c"]
    for c in fixture["c"]:
        c.refresh_from_db()
    assert c1.next_review_due == datetime.date(2025, 11, 29)
    assert c2.next_review_due == datetime.date(2026, 6, 15)
    assert c3.next_review_due == datetime.date(2026, 6, 14)
    assert c4.next_review_due is None
    assert c5.next_review_due is None


def test_coverage_counts_member_states_with_a_current_focal_point_by_group(fixture):
    coverage = stats.focal_point_coverage()
    assert coverage["member_states"] == 4  # the EU is not a Member State
    assert coverage["with_focal_point"] == 2  # GHA, FIN; DNK's appointment ended; KEN none
    groups = {g["slug"]: (g["with_focal_point"], g["member_states"]) for g in coverage["groups"]}
    assert groups == {
        "african": (1, 2),
        "asia-pacific": (0, 0),
        "eastern-european": (0, 0),
        "latin-american-caribbean": (0, 0),
        "western-european-others": (1, 2),
    }
    assert coverage["others"] == [{"code": "EUU", "name": "European Union"}]


def test_coverage_shows_the_sourced_headline_figure_beside_ours(fixture):
    reference = stats.focal_point_coverage()["reference"]
    assert reference["value"] == 61
    assert reference["statement"] == "61 countries + EU + OAS"
    assert reference["as_of"] == "2023-06-01"


def test_coverage_of_one_group_counts_only_its_states(fixture):
    coverage = stats.focal_point_coverage(regional_group="african")
    assert (coverage["with_focal_point"], coverage["member_states"]) == (1, 2)
    assert [g["slug"] for g in coverage["groups"]] == ["african"]
    assert coverage["others"] == []


def test_status_counts_use_the_corrected_status_and_include_withdrawn(fixture):
    by_status = stats.commitments_by_status()
    assert by_status["total"] == 5
    assert _by(by_status["rows"], "status", "count") == {
        "not-reported": 2,  # c2, c3
        "not-started": 0,
        "limited": 0,  # u1 said limited, but u2 corrects it
        "substantial": 1,  # c1 after the correction
        "complete": 1,  # c5
        "withdrawn": 1,  # c4
    }


def test_level_counts_leave_withdrawn_commitments_apart(fixture):
    rows = {r["level"]: r for r in stats.commitments_by_level()["rows"]}
    assert (rows["national"]["commitments"], rows["national"]["withdrawn"]) == (2, 1)
    assert rows["national"]["states"] == 2  # GHA, KEN (DNK withdrew)
    assert rows["intergovernmental"]["commitments"] == 2
    assert rows["intergovernmental"]["complete"] == 1
    assert rows["intergovernmental"]["states"] == 2  # GHA, FIN
    assert rows["un-system"]["commitments"] == 0
    assert stats.commitments_by_level()["total"] == 4


def test_step_counts_list_every_step_even_unpledged_ones(fixture):
    result = stats.commitments_by_step()
    rows = {r["code"]: r for r in result["rows"]}
    assert [r["code"] for r in result["rows"]] == ["N1", "I1", "U1"]  # by level, then code
    assert (rows["N1"]["commitments"], rows["N1"]["withdrawn"], rows["N1"]["states"]) == (2, 1, 2)
    assert (rows["I1"]["commitments"], rows["I1"]["complete"], rows["I1"]["states"]) == (2, 1, 2)
    assert (rows["U1"]["commitments"], rows["U1"]["states"]) == (0, 0)
    assert result["total"] == 4


def test_overdue_starts_the_day_after_the_review_falls_due(fixture):
    overdue = stats.overdue_reviews(today=TODAY)
    assert overdue["count"] == 2  # c1 (due 2025-11-29), c3 (due yesterday); c2 is due today
    assert overdue["states"] == [
        {"code": "GHA", "name": "Ghana", "overdue": 1, "oldest_due": datetime.date(2025, 11, 29)},
        {"code": "KEN", "name": "Kenya", "overdue": 1, "oldest_due": datetime.date(2026, 6, 14)},
    ]


def test_a_review_due_today_is_overdue_tomorrow(fixture):
    overdue = stats.overdue_reviews(today=TODAY + datetime.timedelta(days=1))
    assert overdue["count"] == 3
    assert overdue["states"][0]["code"] == "GHA"  # now two overdue: listed first
    assert overdue["states"][0]["overdue"] == 2


def test_closed_commitments_are_never_overdue(fixture):
    far_future = stats.overdue_reviews(today=datetime.date(2030, 1, 1))
    assert far_future["count"] == 3  # c1, c2, c3 — never c4 (withdrawn) or c5 (complete)
    assert {s["code"] for s in far_future["states"]} == {"GHA", "KEN"}


def test_updates_per_quarter_count_corrections_by_reporting_date(fixture):
    result = stats.updates_per_quarter(today=TODAY, quarters=5)
    assert [(r["quarter"], r["updates"], r["corrections"]) for r in result["rows"]] == [
        ("2025-Q2", 2, 1),  # u1 and its correction u2
        ("2025-Q3", 0, 0),
        ("2025-Q4", 0, 0),
        ("2026-Q1", 2, 0),  # u3, u4
        ("2026-Q2", 0, 0),
    ]
    assert result["total"] == 4
    assert result["before"] == 0


def test_updates_before_the_window_are_counted_apart(fixture):
    result = stats.updates_per_quarter(today=TODAY, quarters=2)
    assert [r["quarter"] for r in result["rows"]] == ["2026-Q1", "2026-Q2"]
    assert result["total"] == 2
    assert result["before"] == 2


def test_recent_updates_are_newest_first_and_flag_corrections(fixture):
    u1, u2, u3, u4 = fixture["u"]
    recent = stats.recent_updates(limit=3)
    assert [r["id"] for r in recent] == [u4.pk, u3.pk, u2.pk]  # same instant: newest id first
    assert recent[2]["is_correction"] is True
    assert recent[2]["corrects_id"] == u1.pk
    assert recent[0]["state_code"] == "FIN"
    assert recent[0]["status"] == "complete"


def test_regional_figures_count_only_the_groups_commitments(fixture):
    figures = stats.dashboard(today=TODAY, regional_group="african")
    assert figures["by_status"]["total"] == 3  # c1, c2, c3
    assert figures["overdue"]["count"] == 2
    assert figures["per_quarter"]["total"] == 2  # u1, u2 in 2025-Q2 (within 12 quarters)
    assert {r["state_code"] for r in figures["recent"]} == {"GHA"}


def test_a_new_update_changes_the_cached_figures_at_once(fixture, frozen):
    before = stats.dashboard(today=TODAY)
    assert before["overdue"]["count"] == 2
    _c1, _c2, c3, _c4, _c5 = fixture["c"]
    frozen.shift(datetime.timedelta(seconds=5))
    ProgressUpdateFactory(commitment=c3, reported_on=TODAY, status=Status.NOT_STARTED)
    after = stats.dashboard(today=TODAY)
    assert after["overdue"]["count"] == 1
    assert _by(after["by_status"]["rows"], "status", "count")["not-started"] == 1
    assert after["last_changed"] > before["last_changed"]


def test_warm_dashboard_figures_cost_one_query(fixture, django_assert_num_queries):
    stats.dashboard(today=TODAY)
    # data_version(): one primary-key lookup of the data versions; every figure then comes from
    # the cache.
    with django_assert_num_queries(1):
        stats.dashboard(today=TODAY)


def test_empty_database_gives_zeros_not_errors(db, frozen):
    figures = stats.dashboard(today=TODAY)
    assert figures["coverage"]["member_states"] == 0
    assert figures["by_status"]["total"] == 0
    assert figures["overdue"] == {"today": TODAY, "count": 0, "states": []}
    assert figures["recent"] == []
    # "Last changed" is the last write to a public table (D-16-15: the data versions), which an
    # emptied database has too; it is never a row's own time.
    assert figures["last_changed"] is None or figures["last_changed"].tzinfo is not None


def test_state_tiles_give_each_state_its_focal_point_and_review_standing(fixture):
    tiles = stats.state_tiles(today=TODAY)

    def brief(tile):
        return (tile["code"], tile["has_focal_point"], tile["commitments"], tile["overdue"])

    groups = {g["slug"]: [brief(t) for t in g["states"]] for g in tiles["groups"]}
    assert groups["african"] == [("GHA", True, 2, 1), ("KEN", False, 1, 1)]
    assert groups["western-european-others"] == [("DNK", False, 1, 0), ("FIN", True, 1, 0)]
    assert groups["asia-pacific"] == []
    assert [brief(t) for t in tiles["others"]] == [("EUU", True, 0, 0)]
    assert tiles["groups"][0]["states"][0]["focal_point_since"] == datetime.date(2019, 1, 15)


def test_a_corrected_headline_figure_shows_at_once(fixture, frozen):
    assert stats.focal_point_coverage()["reference"]["value"] == 61
    frozen.shift(datetime.timedelta(minutes=5))
    figure = ReferenceFigure.objects.get(key="gn-2023")
    figure.value = 62
    figure.save()  # as the admin and load_reference_data --update do
    assert stats.focal_point_coverage()["reference"]["value"] == 62


def test_an_edited_network_membership_changes_the_data_version(fixture, frozen):
    from focalpoints.models import Network, NetworkMembership

    network = Network.objects.create(slug="test-network", name="Test network")
    membership = NetworkMembership.objects.create(network=network, state_id="GHA")
    before = stats.data_version()["key"]
    frozen.shift(datetime.timedelta(minutes=5))

    membership.evidence = "Corrected evidence"
    membership.save()

    assert stats.data_version()["key"] != before
