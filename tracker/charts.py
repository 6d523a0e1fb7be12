"""Charts drawn on the server as SVG geometry, rendered by ``tracker/snippets/chart.html``.

Every chart has a title and a description (the SVG's accessible name and description) and
carries the same numbers as table rows, shown beside it, so it reads without JavaScript,
without colour and with a screen reader. Nothing is fetched from anywhere.

Geometry is computed left-to-right; for right-to-left languages it is mirrored here (the SVG
gets ``direction="rtl"``, so logical ``text-anchor`` values keep meaning "start"/"end").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 640
ROW_HEIGHT = 30
BAR_HEIGHT = 18
LABEL_WIDTH = 340
VALUE_GAP = 6
VALUE_ROOM = 70
CHAR_WIDTH = 7.4  # average advance of a 13px label character
SECONDARY_ROOM = 44  # the code column before a label (``secondary``)


@dataclass
class Mark:
    """One drawn element (a bar, a track, a piece of text)."""

    x: float
    y: float
    width: float = 0
    height: float = 0
    text: str = ""
    anchor: str = "start"
    css: str = ""


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    rtl: bool
    tracks: list[Mark] = field(default_factory=list)
    bars: list[Mark] = field(default_factory=list)
    texts: list[Mark] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _mirror(chart: Chart) -> Chart:
    if not chart.rtl:
        return chart
    for mark in chart.tracks + chart.bars:
        mark.x = chart.width - mark.x - mark.width
    for mark in chart.texts:
        mark.x = chart.width - mark.x
    return chart


def _n(value) -> str:
    """A count as the active language writes it (thousands grouped)."""
    return number_format(value, force_grouping=True)


def _label_room(labels: list[str], limit: int) -> int:
    """Width for the label column: enough for the longest label (13px text), at most limit."""
    longest = max([len(label) for label in labels] + [4])
    return min(limit, int(longest * CHAR_WIDTH) + 12)


def _fit(label: str, room: float) -> str:
    """The label, shortened with an ellipsis if it would not fit ``room`` (13px text)."""
    limit = max(4, int((room - 12) / CHAR_WIDTH))
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _scale(maximum: int, room: float) -> float:
    return room / maximum if maximum else 0


def bar_chart(
    *,
    key: str,
    title: str,
    desc: str,
    rows: list[dict],
    label: str,
    value: str,
    columns: list[str],
    table: list[list],
    total: str | None = None,
    css: str | None = None,
    rtl: bool = False,
    label_width: int = LABEL_WIDTH,
    secondary: str | None = None,
) -> Chart:
    """Horizontal bars, one per row: ``row[label]`` and the bar for ``row[value]``; with
    ``secondary``, ``row[secondary]`` (e.g. a step's code) is set as smaller, paler text at the
    start of the label column. Labels longer than the column are shortened with an ellipsis
    (the table beside the chart has them in full). With
    ``total``, a pale track shows ``row[total]`` behind the bar and the text reads "v / t".
    ``css`` names a row key whose value becomes the bar's class suffix (e.g. a status).
    ``columns`` and ``table`` are the accessible table of the same numbers. ``key`` makes the
    element ids (unique on the page, whatever the language of the title)."""
    chart = Chart(
        id=f"chart-{key}",
        title=title,
        desc=desc,
        width=WIDTH,
        height=max(1, len(rows)) * ROW_HEIGHT + 8,
        rtl=rtl,
        columns=columns,
        rows=table,
    )
    label_width = _label_room([str(row[label]) for row in rows], label_width)
    label_start = SECONDARY_ROOM if secondary else 0
    bar_start = label_width + VALUE_GAP
    room = WIDTH - bar_start - VALUE_ROOM
    maximum = max([row[total] if total else row[value] for row in rows] + [0])
    scale = _scale(maximum, room)
    for index, row in enumerate(rows):
        top = 4 + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2 + 5
        text = _fit(str(row[label]), label_width - label_start)
        chart.texts.append(
            Mark(x=label_width, y=middle, text=text, anchor="end", css="chart-label")
        )
        if secondary:
            chart.texts.append(
                Mark(x=0, y=middle, text=str(row[secondary]), anchor="start", css="chart-secondary")
            )
        end = bar_start + row[value] * scale
        if total:
            chart.tracks.append(
                Mark(
                    x=bar_start,
                    y=top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                    width=row[total] * scale,
                    height=BAR_HEIGHT,
                    css="chart-track",
                )
            )
            end = bar_start + row[total] * scale
        chart.bars.append(
            Mark(
                x=bar_start,
                y=top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                width=row[value] * scale,
                height=BAR_HEIGHT,
                css=f"chart-bar chart-bar-{row[css]}" if css else "chart-bar",
            )
        )
        text = f"{_n(row[value])} / {_n(row[total])}" if total else _n(row[value])
        chart.texts.append(
            Mark(x=end + VALUE_GAP, y=middle, text=text, anchor="start", css="chart-value")
        )
    return _mirror(chart)


def column_chart(
    *,
    key: str,
    title: str,
    desc: str,
    rows: list[dict],
    label: str,
    value: str,
    columns: list[str],
    table: list[list],
    rtl: bool = False,
    height: int = 230,
    group: str | None = None,
) -> Chart:
    """Vertical columns over time (oldest at the start of the reading direction), each
    labelled below and valued above. With ``group``, a second label line shows
    ``row[group]`` (e.g. the year) where it changes."""
    chart = Chart(
        id=f"chart-{key}",
        title=title,
        desc=desc,
        width=WIDTH,
        height=height,
        rtl=rtl,
        columns=columns,
        rows=table,
    )
    bottom = height - 40
    top = 22
    count = max(1, len(rows))
    slot = (WIDTH - 8) / count
    bar_width = slot * 0.62
    maximum = max([row[value] for row in rows] + [0])
    scale = _scale(maximum, bottom - top)
    chart.tracks.append(Mark(x=0, y=bottom, width=WIDTH, height=1, css="chart-axis"))
    for index, row in enumerate(rows):
        left = 4 + index * slot + (slot - bar_width) / 2
        bar_height = row[value] * scale
        chart.bars.append(
            Mark(x=left, y=bottom - bar_height, width=bar_width, height=bar_height, css="chart-bar")
        )
        centre = left + bar_width / 2
        chart.texts.append(
            Mark(
                x=centre,
                y=bottom - bar_height - 5,
                text=_n(row[value]),
                anchor="middle",
                css="chart-value chart-value-small",
            )
        )
        chart.texts.append(
            Mark(x=centre, y=bottom + 17, text=str(row[label]), anchor="middle", css="chart-label")
        )
        if group and (index == 0 or row[group] != rows[index - 1][group]):
            chart.texts.append(
                Mark(
                    x=centre,
                    y=bottom + 34,
                    text=str(row[group]),
                    anchor="middle",
                    css="chart-group",
                )
            )
    return _mirror(chart)


def _quarter_label(start) -> str:
    # Translators: a calendar quarter, "Q1" to "Q4", under a column of the activity chart.
    return _("Q%(number)s") % {"number": (start.month - 1) // 3 + 1}


def _step_desc(rows: list[dict], pledged: list[dict]) -> str:
    desc = _("How many active commitments each step of the catalogue has.")
    hidden = len(rows) - len(pledged)
    if hidden:
        desc += " " + ngettext(
            "%(n)s step with no active commitment is listed in the table only.",
            "%(n)s steps with no active commitment are listed in the table only.",
            hidden,
        ) % {"n": _n(hidden)}
    return desc


def dashboard_charts(figures: dict, *, rtl: bool = False) -> dict[str, Chart]:
    """The charts of the dashboard and regional pages, from :func:`tracker.stats.dashboard`."""
    coverage = figures["coverage"]
    by_status = figures["by_status"]
    by_level = figures["by_level"]
    by_step = figures["by_step"]
    per_quarter = figures["per_quarter"]
    # Steps nobody pledged are not drawn as rows of zeros (the table lists every step).
    pledged = [row for row in by_step["rows"] if row["commitments"]]
    charts = {
        "coverage": bar_chart(
            key="coverage",
            title=_("Member States with a current focal point, by regional group"),
            desc=_("%(with)s of %(total)s UN Member States have a current R2P focal point.")
            % {"with": _n(coverage["with_focal_point"]), "total": _n(coverage["member_states"])},
            rows=coverage["groups"],
            label="label",
            value="with_focal_point",
            total="member_states",
            rtl=rtl,
            columns=[_("Regional group"), _("With a focal point"), _("Member States")],
            table=[
                [g["label"], g["with_focal_point"], g["member_states"]] for g in coverage["groups"]
            ],
        ),
        "by_status": bar_chart(
            key="by-status",
            title=_("Commitments by current status"),
            desc=_("%(total)s commitments, each counted under its current status.")
            % {"total": _n(by_status["total"])},
            rows=by_status["rows"],
            label="label",
            value="count",
            css="status",
            rtl=rtl,
            columns=[_("Status"), _("Commitments")],
            table=[[r["label"], r["count"]] for r in by_status["rows"]],
        ),
        "by_level": bar_chart(
            key="by-level",
            title=_("Active commitments by level"),
            desc=_("%(total)s active commitments (withdrawn ones apart), by level of the step.")
            % {"total": _n(by_level["total"])},
            rows=by_level["rows"],
            label="label",
            value="commitments",
            rtl=rtl,
            columns=[_("Level"), _("Active commitments"), _("Complete"), _("Withdrawn")],
            table=[
                [r["label"], r["commitments"], r["complete"], r["withdrawn"]]
                for r in by_level["rows"]
            ],
        ),
        "by_step": bar_chart(
            key="by-step",
            title=_("Active commitments by prevention step"),
            desc=_step_desc(by_step["rows"], pledged),
            rows=pledged,
            label="title",
            secondary="code",
            value="commitments",
            rtl=rtl,
            columns=[_("Step"), _("Title"), _("Active commitments"), _("States"), _("Complete")],
            table=[
                [r["code"], r["title"], r["commitments"], r["states"], r["complete"]]
                for r in by_step["rows"]
            ],
        ),
        "per_quarter": column_chart(
            key="per-quarter",
            title=_("Progress updates per quarter"),
            desc=_("%(total)s updates (corrections included) reported in the last %(n)s quarters.")
            % {"total": _n(per_quarter["total"]), "n": len(per_quarter["rows"])},
            rows=[
                {**r, "q": _quarter_label(r["start"]), "year": r["start"].year}
                for r in per_quarter["rows"]
            ],
            label="q",
            group="year",
            value="updates",
            rtl=rtl,
            columns=[_("Quarter"), _("Updates"), _("of which corrections")],
            table=[[r["quarter"], r["updates"], r["corrections"]] for r in per_quarter["rows"]],
        ),
    }
    return charts
