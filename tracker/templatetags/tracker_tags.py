"""Small helpers of the public templates."""

from django import template
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (``None`` removes one), e.g.
    ``?{% query_with sort="name" page=None %}``. Always drops ``page`` unless given."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return params.urlencode()


@register.filter
def overdue_on(commitment, today) -> bool:
    """``{% if c|overdue_on:today %}``: the model's one overdue rule, for templates."""
    return commitment.is_overdue(today)


@register.filter
def without_commitments(rows) -> list[str]:
    """The labels of the matrix rows that count nothing (listed under the matrix, not drawn as
    rows of zeros)."""
    return [row["label"] for row in rows if not row["total"]]


_CODE = "ZZZ"


def _state_url(context, code: str) -> str:
    """A State page's URL: reversed once per render, the code put in place (an ISO code is
    letters only; anything else is reversed as usual)."""
    if not code.isalnum():
        return reverse("tracker:state", kwargs={"code": code})
    pattern = context.render_context.get("tile_url")
    if pattern is None:
        pattern = context.render_context["tile_url"] = reverse(
            "tracker:state", kwargs={"code": _CODE}
        )
    return pattern.replace(_CODE, code)


@register.simple_tag(takes_context=True)
def tile(context, t: dict) -> str:
    """One State's tile of the dashboard's grid (``stats.state_tiles``). Built here rather than
    by including a template per tile: 196 includes with two plural blocks each were a third of
    the dashboard's cold render (D-16-72). The wording is the same translated strings."""
    name = conditional_escape(render_value_in_context(t["name"], context))
    code = conditional_escape(t["code"])
    classes = "tile" + (" tile-fp" if t["has_focal_point"] else "")
    classes += " tile-overdue" if t["overdue"] else ""
    mark = '<span class="tile-mark">!</span>' if t["overdue"] else ""
    if t["has_focal_point"]:
        standing = gettext("has a current focal point")
    else:
        standing = gettext("no focal point known")
    count = render_value_in_context(t["commitments"], context)
    said = ngettext("%(n)s commitment", "%(n)s commitments", t["commitments"]) % {"n": count}
    if t["overdue"]:
        overdue = render_value_in_context(t["overdue"], context)
        said += "; " + ngettext("%(n)s overdue review", "%(n)s overdue reviews", t["overdue"]) % {
            "n": overdue
        }
    url = _state_url(context, t["code"])
    # As {% translate %} and {% blocktranslate %} do: the values escaped, the wording as
    # translated.
    return mark_safe(
        f'<li><a class="{classes}" href="{conditional_escape(url)}" title="{name}">'
        f'<span aria-hidden="true">{code}{mark}</span><span class="visually-hidden">'
        f"{name}: {standing}; {said}</span></a></li>\n"
    )
