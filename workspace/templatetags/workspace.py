"""Template helpers for the workspace: accessible field rendering and small date sums."""

import datetime

from django import template

register = template.Library()


@register.simple_tag
def field_widget(bound_field, **attrs):
    """Render a field's widget tied to its help text and errors for screen readers
    (``aria-describedby``, ``aria-invalid``); extra keyword arguments become attributes."""
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def days_since(day: datetime.date | None, today: datetime.date) -> int | None:
    """Whole days from ``day`` to ``today`` (negative when ``day`` is still to come)."""
    if day is None or today is None:
        return None
    return (today - day).days


@register.filter
def days_until(day: datetime.date | None, today: datetime.date) -> int | None:
    if day is None or today is None:
        return None
    return (day - today).days


@register.filter
def minutes(delta: datetime.timedelta | None) -> int | None:
    if delta is None:
        return None
    return max(1, round(delta.total_seconds() / 60))


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, or None (for dicts keyed by ids in templates)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
