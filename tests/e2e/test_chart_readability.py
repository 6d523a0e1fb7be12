"""Charts and timelines as drawn: chart text never renders under 12 px at the widths the
layout uses, and the timeline is one continuous line with its dots centred on it (State
profile and commitment page)."""

import pytest

from tests.e2e.test_public import public_data  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

SMALLEST_TEXT = """() => Array.from(document.querySelectorAll('svg.chart-svg')).flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Array.from(svg.querySelectorAll('text')).map(
        t => parseFloat(getComputedStyle(t).fontSize) * scale);
})"""

TIMELINE = """() => Array.from(document.querySelectorAll('ol.timeline')).map(list => {
    const box = list.getBoundingClientRect();
    const style = getComputedStyle(list);
    const border = parseFloat(style.borderInlineStartWidth);
    const rtl = style.direction === 'rtl';
    const line = rtl ? box.right - border / 2 : box.left + border / 2;
    const items = Array.from(list.children);
    return {
        line,
        itemBorders: items.map(li => parseFloat(getComputedStyle(li).borderInlineStartWidth)),
        dots: items.map(li => {
            const dot = getComputedStyle(li, '::before');
            const liBox = li.getBoundingClientRect();
            const width = parseFloat(dot.width);
            const start = parseFloat(dot.insetInlineStart);
            const centre = rtl ? liBox.right - start - width / 2 : liBox.left + start + width / 2;
            return centre;
        }),
    };
})"""


@pytest.mark.parametrize("width", [360, 768, 1024, 1280, 1600])
def test_chart_text_is_at_least_12px_at_every_width(page, public_data, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", "/regions/african/"):
        page.goto(path)
        sizes = page.evaluate(SMALLEST_TEXT)
        assert sizes, path
        assert min(sizes) >= 11.99, (path, width, min(sizes))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_timeline_is_one_line_with_dots_on_it(page, public_data, live_server, language):  # noqa: F811
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for path in ("/states/GHA/", public_data["commitment"].get_absolute_url()):
        page.goto(path)
        (timeline,) = page.evaluate(TIMELINE)
        assert len(timeline["dots"]) >= 2, path
        assert set(timeline["itemBorders"]) == {0}, path  # no per-item pieces of line
        for centre in timeline["dots"]:
            assert abs(centre - timeline["line"]) <= 1, (path, centre, timeline["line"])
