"""Small helpers of the public templates."""

from django import template

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
