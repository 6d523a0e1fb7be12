"""Charts a reader can read: step rows named (codes as secondary text), no rows of zeros,
long names shortened within their column; the recent-updates list in the order of the date it
shows. (Rendered sizes and the timeline's geometry are checked in a browser:
tests/e2e/test_chart_readability.py.)"""

import datetime

from commitments.models import Status
from tests.factories import CommitmentFactory, PreventionStepFactory, ProgressUpdateFactory
from tracker import charts, stats


def step_rows():
    return [
        {"code": "N1", "title": "Appoint a national R2P focal point", "level": "national",
         "commitments": 4, "complete": 1, "withdrawn": 0, "states": 3},
        {"code": "N2", "title": "Assess national atrocity risk and resilience", "level": "national",
         "commitments": 0, "complete": 0, "withdrawn": 0, "states": 0},
        {"code": "U1", "title": "A" * 120, "level": "un-system",
         "commitments": 2, "complete": 0, "withdrawn": 0, "states": 2},
    ]  # fmt: skip


def figures():
    return {
        "coverage": {"groups": [], "with_focal_point": 0, "member_states": 0},
        "by_status": {"rows": [], "total": 0},
        "by_level": {"rows": [], "total": 0},
        "by_step": {"rows": step_rows(), "total": 6},
        "per_quarter": {"rows": [], "total": 0},
    }


def test_step_chart_names_rows_with_codes_as_secondary_text():
    chart = charts.dashboard_charts(figures())["by_step"]
    labels = [m.text for m in chart.texts if m.css == "chart-label"]
    codes = [m.text for m in chart.texts if m.css == "chart-secondary"]
    assert labels[0] == "Appoint a national R2P focal point"
    assert codes == ["N1", "U1"]


def test_step_chart_draws_no_row_of_zeros_but_the_table_keeps_every_step():
    chart = charts.dashboard_charts(figures())["by_step"]
    assert len(chart.bars) == 2
    assert [row[0] for row in chart.rows] == ["N1", "N2", "U1"]
    assert chart.desc.endswith("1 step with no active commitment is listed in the table only.")


def test_a_long_name_is_shortened_to_its_column():
    chart = charts.dashboard_charts(figures())["by_step"]
    long_label = [m.text for m in chart.texts if m.css == "chart-label"][1]
    assert long_label.endswith("…")
    assert len(long_label) * charts.CHAR_WIDTH <= charts.LABEL_WIDTH


def test_the_same_in_right_to_left():
    chart = charts.dashboard_charts(figures(), rtl=True)["by_step"]
    code = next(m for m in chart.texts if m.css == "chart-secondary")
    assert code.x == chart.width  # mirrored to the start of the reading direction


def test_recent_updates_follow_the_reporting_date_they_show(db, state_a):
    commitment = CommitmentFactory(state=state_a, step=PreventionStepFactory())
    # Published in this order, but the second reports an earlier date.
    later = ProgressUpdateFactory(commitment=commitment, reported_on=datetime.date(2025, 6, 1))
    earlier = ProgressUpdateFactory(
        commitment=commitment, reported_on=datetime.date(2025, 1, 1), status=Status.NOT_STARTED
    )
    rows = stats.recent_updates()
    assert [r["id"] for r in rows] == [later.pk, earlier.pk]
    assert [r["reported_on"] for r in rows] == sorted(
        (r["reported_on"] for r in rows), reverse=True
    )
