"""``{% localised obj "title" %}``: a translated reference field in the reader's language, or the
English marked ``lang="en"`` with a visible "not yet translated" note (focalpoints.localisation)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from focalpoints import localisation

register = template.Library()


@register.simple_tag
def localised(instance, field: str, marker: bool = True):
    value = localisation.localised(instance, field)
    if not value.is_fallback:
        return value.text
    if not marker:
        return format_html('<span lang="en" dir="ltr">{}</span>', value.text)
    return format_html(
        '<span lang="en" dir="ltr">{}</span> <span class="not-translated">({})</span>',
        value.text,
        _("not yet translated"),
    )


@register.simple_tag
def localised_text(instance, field: str) -> str:
    """The plain text (for a title attribute or <title>), no marker."""
    return localisation.localised(instance, field).text


@register.filter
def isolate(value):
    """Wrap a value (a date, a number, a symbol) in ``<bdi>`` so that, inside a sentence of the
    other direction, its digits and punctuation keep their order."""
    if value in (None, ""):
        return value
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def direction(language: str) -> str:
    """``rtl`` or ``ltr`` for a text's language (``dir`` beside its ``lang``)."""
    return localisation.text_direction(language or localisation.SOURCE_LANGUAGE)
