"""The reporting cycle (``commitments.rules.review_cycles`` replayed by ``tracker.stats``)
against hand-computed figures on a fixture with early, on-time, late, missing and pending
reports, a correction and a completed commitment; the page, its CSVs and the trend."""

import csv
import datetime
import io

import pytest
import time_machine

from commitments.models import Commitment, Status
from commitments.rules import Outcome, ReviewCycle, review_cycles
from tests.factories import CommitmentFactory, MemberStateFactory, ProgressUpdateFactory
from tracker import stats

TODAY = datetime.date(2026, 6, 30)
D = datetime.date
Q2 = {"start": D(2026, 4, 1), "end": D(2026, 6, 30)}


# --- The pure rule --------------------------------------------------------------------------


def test_first_review_falls_due_one_interval_after_the_pledge():
    assert review_cycles([], pledged_on=D(2026, 1, 1), review_interval_days=90) == [
        ReviewCycle(due_on=D(2026, 4, 1), reported_on=None)
    ]


def test_each_report_answers_the_review_owed_and_opens_the_next():
    cycles = review_cycles(
        [(D(2026, 3, 15), Status.LIMITED), (D(2026, 6, 14), Status.LIMITED)],
        pledged_on=D(2026, 1, 1),
        review_interval_days=90,
    )
    assert cycles == [
        ReviewCycle(D(2026, 4, 1), D(2026, 3, 15)),  # early: on time
        ReviewCycle(D(2026, 6, 13), D(2026, 6, 14)),  # one day late
        ReviewCycle(D(2026, 9, 12), None),
    ]
    assert [c.outcome(TODAY) for c in cycles] == [Outcome.ON_TIME, Outcome.LATE, Outcome.PENDING]


def test_a_closing_report_owes_nothing_more():
    cycles = review_cycles(
        [(D(2026, 2, 1), Status.COMPLETE)], pledged_on=D(2025, 10, 1), review_interval_days=90
    )
    assert cycles == [ReviewCycle(D(2025, 12, 30), D(2026, 2, 1))]


@pytest.mark.parametrize(
    ("due_on", "outcome"),
    [(TODAY - datetime.timedelta(days=1), Outcome.MISSING), (TODAY, Outcome.PENDING)],
)
def test_an_unanswered_review_is_missing_the_day_after_it_falls_due(due_on, outcome):
    assert ReviewCycle(due_on, None).outcome(TODAY) == outcome


# --- The figures ----------------------------------------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def cycle_world(frozen, state_a, state_b):
    kenya = MemberStateFactory(code="KEN", name="Kenya", regional_group="african")

    def pledge(title, state, pledged_on, *reports):
        commitment = CommitmentFactory(
            title=title, state=state, pledged_on=pledged_on, review_interval_days=90
        )
        updates = {}
        for key, reported_on, status, corrects in reports:
            updates[key] = ProgressUpdateFactory(
                commitment=commitment,
                reported_on=reported_on,
                status=status,
                corrects=updates.get(corrects),
            )
        return commitment

    # Due 04-01 (reported early, 03-15: on time), then 06-13 (reported that day: on time).
    pledge(
        "early",
        state_a,
        D(2026, 1, 1),
        ("a", D(2026, 3, 15), Status.LIMITED, None),
        ("b", D(2026, 6, 13), Status.LIMITED, None),
    )
    # Due 04-05, reported 04-06: late.
    pledge("late", state_a, D(2026, 1, 5), ("a", D(2026, 4, 6), Status.LIMITED, None))
    # Due 04-10, never reported: missing.
    pledge("missing", kenya, D(2026, 1, 10))
    # Due today, not reported yet: pending.
    pledge("pending", kenya, D(2026, 4, 1))
    # Due 2025-12-30, reported complete on 2026-02-01: late, in Q4 2025; nothing owed after.
    pledge("closed", state_b, D(2025, 10, 1), ("a", D(2026, 2, 1), Status.COMPLETE, None))
    # Due 04-01: reported 03-01, corrected by a report of 04-20 — the correction counts: late.
    pledge(
        "corrected",
        state_b,
        D(2026, 1, 1),
        ("a", D(2026, 3, 1), Status.LIMITED, None),
        ("b", D(2026, 4, 20), Status.SUBSTANTIAL, "a"),
    )


def shares(row):
    return {k: row[k] for k in ("due", "on_time", "late", "missing", "pending", "on_time_share")}


def test_cycle_totals_states_and_groups(cycle_world):
    figures = stats.reporting_cycle(**Q2, today=TODAY, commitments=True)
    assert shares(figures["totals"]) == {
        "due": 6,
        "on_time": 2,
        "late": 2,
        "missing": 1,
        "pending": 1,
        "on_time_share": 0.4,
    }
    states = {row["code"]: shares(row) for row in figures["states"]}
    assert states["GHA"] == {
        "due": 3, "on_time": 2, "late": 1, "missing": 0, "pending": 0, "on_time_share": 0.6667
    }  # fmt: skip
    assert states["KEN"] == {
        "due": 2, "on_time": 0, "late": 0, "missing": 1, "pending": 1, "on_time_share": 0.0
    }  # fmt: skip
    assert states["DNK"]["late"] == 1
    groups = {row["slug"]: shares(row) for row in figures["groups"]}
    assert groups["african"]["due"] == 5
    assert groups["african"]["on_time_share"] == 0.5
    assert groups["western-european-others"] == {
        "due": 1, "on_time": 0, "late": 1, "missing": 0, "pending": 0, "on_time_share": 0.0
    }  # fmt: skip
    assert groups["asia-pacific"]["on_time_share"] is None
    outcomes = sorted((c["title"], c["outcome"]) for c in figures["commitments"])
    assert outcomes == [
        ("corrected", "late"),
        ("early", "on-time"),
        ("early", "on-time"),
        ("late", "late"),
        ("missing", "missing"),
        ("pending", "pending"),
    ]


def test_a_year_and_a_regional_group(cycle_world):
    year = stats.reporting_cycle(start=D(2025, 1, 1), end=D(2025, 12, 31), today=TODAY)
    assert shares(year["totals"])["late"] == 1  # the completed pledge, due 2025-12-30
    african = stats.reporting_cycle(**Q2, today=TODAY, regional_group="african")
    assert african["totals"]["due"] == 5
    assert [g["slug"] for g in african["groups"]] == ["african"]


def test_trend_from_dated_updates(cycle_world):
    rows = {r["quarter"]: r for r in stats.reporting_trend(today=TODAY, quarters=4)["rows"]}
    assert list(rows) == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert (rows["2025-Q4"]["overdue"], rows["2025-Q4"]["late"]) == (1, 1)
    assert (rows["2026-Q1"]["overdue"], rows["2026-Q1"]["due"]) == (0, 0)
    assert rows["2026-Q2"]["on_time_share"] == 0.4
    # The current quarter's overdue count is today's, by the one overdue rule.
    assert rows["2026-Q2"]["overdue"] == Commitment.objects.overdue(TODAY).count() == 1


def test_the_replayed_open_review_is_the_stored_next_review_due(cycle_world):
    for commitment in Commitment.objects.all():
        updates = commitment.updates.exclude(correction__isnull=False).order_by(
            "reported_on", "created_at", "id"
        )
        cycles = review_cycles(
            [(u.reported_on, u.status) for u in updates],
            pledged_on=commitment.pledged_on,
            review_interval_days=commitment.review_interval_days,
        )
        open_cycles = [c.due_on for c in cycles if c.reported_on is None]
        assert open_cycles == ([commitment.next_review_due] if commitment.next_review_due else [])


# --- The page and its CSVs ------------------------------------------------------------------


def test_page_for_a_quarter(client, cycle_world):
    response = client.get("/reporting/?period=2026-Q2")
    assert response.status_code == 200
    figures = response.context["cycle"]
    assert (figures["start"], figures["end"]) == (Q2["start"], Q2["end"])
    html = response.content.decode()
    assert "Kenya" in html
    assert "40%" in html


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("period=2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("start=2026-04-05&end=2026-04-10", D(2026, 4, 5), D(2026, 4, 10)),
        ("", D(2026, 4, 1), D(2026, 6, 30)),  # the current quarter
    ],
)
def test_period_choices(client, cycle_world, query, start, end):
    figures = client.get(f"/reporting/?{query}").context["cycle"]
    assert (figures["start"], figures["end"]) == (start, end)


@pytest.mark.parametrize("query", ["period=2026-Q5", "start=2026-05-01&end=2026-04-01"])
def test_a_bad_period_is_reported_and_the_current_quarter_shown(client, cycle_world, query):
    response = client.get(f"/reporting/?{query}")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["cycle"]["start"] == Q2["start"]


def read(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


def test_csv_of_each_table(client, cycle_world):
    commitments = read(client.get("/reporting/?period=2026-Q2&format=csv"))
    assert len(commitments) == 6
    assert {row["outcome"] for row in commitments} == {"on-time", "late", "missing", "pending"}
    states = read(client.get("/reporting/?period=2026-Q2&format=csv&table=states"))
    assert {row["state_code"]: row["on_time_share"] for row in states}["GHA"] == "0.6667"
    groups = read(client.get("/reporting/?period=2026-Q2&format=csv&table=groups"))
    assert len(groups) == 5
    trend = read(client.get("/reporting/?format=csv&table=trend"))
    assert trend[-1]["quarter"] == "2026-Q2"
    assert trend[-1]["overdue"] == "1"


def test_page_queries_when_warm(client, cycle_world, django_assert_max_num_queries):
    client.get("/reporting/?period=2026-Q2")
    # The data version (the key of the cached figures and the page's "last changed").
    with django_assert_max_num_queries(1):
        client.get("/reporting/?period=2026-Q2")


def test_stats_api_serves_the_cycle_and_the_trend(client, cycle_world):
    body = client.get("/api/v1/stats/?period=2026-Q2").json()
    cycle = body["reporting_cycle"]
    assert (cycle["start"], cycle["end"]) == ("2026-04-01", "2026-06-30")
    assert cycle["totals"]["on_time_share"] == 0.4
    assert {s["code"]: s["due"] for s in cycle["states"]} == {"GHA": 3, "KEN": 2, "DNK": 1}
    assert body["reporting_trend"]["rows"][-1]["quarter"] == "2026-Q2"
    assert client.get("/api/v1/stats/?period=2026").json()["reporting_cycle"]["end"] == (
        "2026-12-31"
    )
    bad = client.get("/api/v1/stats/?period=2026-Q5")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["period"]


def test_trend_counts_agree_with_the_row_rule_quarter_by_quarter(cycle_world):
    """The trend counts by bisection; ReviewCycle.overdue_on says it for one review."""
    trend = stats.reporting_trend(today=TODAY, quarters=6)["rows"]
    cycles = [
        cycle
        for commitment in Commitment.objects.all()
        for cycle in review_cycles(
            [
                (u.reported_on, u.status)
                for u in commitment.updates.filter(correction__isnull=True).order_by(
                    "reported_on", "created_at", "id"
                )
            ],
            pledged_on=commitment.pledged_on,
            review_interval_days=commitment.review_interval_days,
        )
    ]
    for row in trend:
        day = min(row["end"], TODAY)
        assert row["overdue"] == sum(c.overdue_on(day) for c in cycles), row["quarter"]
        assert row["due"] == sum(row["start"] <= c.due_on <= row["end"] for c in cycles)


def test_the_sql_form_owes_the_same_reviews_as_the_rule(cycle_world):
    """tracker.stats counts reviews in SQL; commitments.rules.review_cycles is the rule."""
    from django.db import connection

    sql, params = stats._cycles_sql(None, None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c, due_on, r FROM ({sql}) cycles", params)  # noqa: S608
        in_sql = sorted((c, stats._date(d), stats._date(r)) for c, d, r in cursor.fetchall())
    by_rule = sorted(
        (commitment.pk, cycle.due_on, cycle.reported_on)
        for commitment in Commitment.objects.all()
        for cycle in review_cycles(
            [
                (u.reported_on, u.status)
                for u in commitment.updates.filter(correction__isnull=True).order_by(
                    "reported_on", "created_at", "id"
                )
            ],
            pledged_on=commitment.pledged_on,
            review_interval_days=commitment.review_interval_days,
        )
    )
    assert in_sql == by_rule
    assert len(in_sql) == 10


def test_one_scan_gives_the_same_cycle_and_trend(cycle_world, django_assert_max_num_queries):
    separate = {
        "cycle": stats.reporting_cycle(**Q2, today=TODAY),
        "trend": stats.reporting_trend(today=TODAY),
    }
    from django.core.cache import cache

    cache.clear()
    # data version, the one scan of the reviews, the States' names and groups
    with django_assert_max_num_queries(3):
        together = stats.reporting(**Q2, today=TODAY)
    assert together == separate
