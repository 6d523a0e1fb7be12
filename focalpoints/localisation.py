"""Reference data in the reader's language: one mechanism for every translated field.

A translated field ``title`` is stored as the English ``title`` column plus one column per other
site language (``title_fr``, ``title_es``, ``title_ar``); an empty column means "not yet
translated" and readers get the English with a visible marker. These helpers are the only place
that knows the naming scheme, which collation sorts which language, and how to search every
language at once — models, selectors, stats, exports and the API all call them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Collate, NullIf
from django.utils import translation

SOURCE_LANGUAGE = "en"
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
OTHER_LANGUAGES = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
# PostgreSQL's ICU collations (present in every PostgreSQL built with ICU, as the official
# images are): alphabetical order as a reader of that language expects it.
ICU_COLLATIONS = {"en": "en-x-icu", "fr": "fr-x-icu", "es": "es-x-icu", "ar": "ar-x-icu"}
RTL_LANGUAGES = frozenset({"ar"})


def reader_language(language: str | None = None) -> str:
    """The site language to show: ``language`` if given, else the active one (``en`` outside
    the four, e.g. ``fr-ca`` becomes ``fr``)."""
    code = (language or translation.get_language() or SOURCE_LANGUAGE).split("-")[0].lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def text_direction(language: str) -> str:
    return "rtl" if reader_language(language) in RTL_LANGUAGES else "ltr"


def column(field: str, language: str | None = None) -> str:
    """The column holding ``field`` in ``language``: ``title`` for English, ``title_fr``…"""
    code = reader_language(language)
    return field if code == SOURCE_LANGUAGE else f"{field}_{code}"


def translated_columns(field: str) -> list[str]:
    """Every column of a translated field, English first."""
    return [column(field, code) for code in LANGUAGES]


@dataclass(frozen=True)
class Localised:
    """A translated value as shown to a reader: the text, the language it is really in (for
    ``lang``/``dir``), and whether it fell back to English (to mark it as not yet translated)."""

    text: str
    language: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text

    @property
    def direction(self) -> str:
        return text_direction(self.language)


def localised(instance, field: str, language: str | None = None) -> Localised:
    """``instance.field`` in the reader's language, or the English with ``is_fallback``."""
    code = reader_language(language)
    english = getattr(instance, field) or ""
    if code == SOURCE_LANGUAGE:
        return Localised(english, SOURCE_LANGUAGE, False)
    text = getattr(instance, column(field, code), "") or ""
    if text:
        return Localised(text, code, False)
    return Localised(english, SOURCE_LANGUAGE, bool(english))


def all_languages(instance, field: str) -> dict[str, str]:
    """``{"en": …, "fr": …, "es": …, "ar": …}`` as stored (empty where not translated)."""
    return {code: getattr(instance, column(field, code)) or "" for code in LANGUAGES}


def expression(field: str, *, prefix: str = "", language: str | None = None):
    """A database expression for ``field`` in the reader's language, falling back to English."""
    code = reader_language(language)
    english = F(prefix + field)
    if code == SOURCE_LANGUAGE:
        return english
    return Coalesce(NullIf(F(prefix + column(field, code)), Value("")), english)


def ordering(field: str, *, prefix: str = "", language: str | None = None, descending=False):
    """An ``order_by`` term sorting ``field`` as a reader of ``language`` expects (ICU collation
    on PostgreSQL; SQLite, the embedded default, compares code points)."""
    code = reader_language(language)
    term = expression(field, prefix=prefix, language=code)
    if connection.vendor == "postgresql":
        term = Collate(term, ICU_COLLATIONS[code])
    return term.desc() if descending else term.asc()


def search_q(field: str, text: str, *, prefix: str = "") -> Q:
    """Rows whose ``field`` contains ``text`` in any of the four languages: a reader finds
    "Allemagne" and "ألمانيا" whatever language the page is in."""
    query = Q()
    for name in translated_columns(field):
        query |= Q(**{f"{prefix}{name}__icontains": text})
    return query
