"""The columns of the commitment and progress-update spreadsheets, declared once: the public
CSV downloads write them (``tracker/exports.py``) and the import reads them back
(``commitments/imports/``), so whatever the export gives, the import takes.

A column says how to read its cell from a row (``get``), which public model field it reveals
(``source``), and — when a person may write it — how its text becomes a value (``parse``,
raising :class:`CellError` with a message a person understands). A column without ``parse`` is
derived or readable extra (status, review dates, the page's address): the import knows it and
leaves it alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from commitments.models import (
    UPDATE_STATUSES,
    Basis,
    Body,
    Commitment,
    In2017Report,
    Level,
    Origin,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    UprResponse,
)
from focalpoints.localisation import localised


class CellError(ValueError):
    """A cell's text is not a value of its column; the message is shown to the person."""


def cell_text(value) -> str:
    """A value as the CSV writes it (and as the import compares it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its header, how to read it from a row, which public model field
    it reveals (None for a figure or a readable extra), and how an import parses it (None: not
    written by imports). ``parse(text, lookups)`` returns the value the service takes."""

    header: str
    get: Callable[[object], object]
    source: str | None = None
    parse: Callable[[str, Lookups], object] | None = None
    help: str = ""  # what to write in the cell (template), translatable
    choices: tuple[str, ...] = ()  # a vocabulary: the template offers it as a list

    @property
    def writable(self) -> bool:
        return self.parse is not None


class Lookups:
    """The reference rows an import resolves cells against (States, steps, channels,
    resolutions), each read once per import and kept by key."""

    def __init__(self):
        self._tables: dict[str, dict] = {}

    def get(self, table: str, key: str):
        if table not in self._tables:
            self._tables[table] = LOOKUP_TABLES[table]()
        return self._tables[table].get(key)


def _states() -> dict:
    from focalpoints.models import MemberState

    return {s.code: s for s in MemberState.objects.all()}


def _steps() -> dict:
    from commitments.models import PreventionStep

    return {s.code: s for s in PreventionStep.objects.all()}


def _channels() -> dict:
    from commitments.models import ScrutinyChannel

    return {c.code: c for c in ScrutinyChannel.objects.all()}


def _paragraphs() -> dict:
    from commitments.models import OperativeParagraph

    return {str(p.pk): p for p in OperativeParagraph.objects.only("id", "resolution_id")}


def _risk_factors() -> dict:
    from commitments.models import RiskFactor

    return {str(f.number): f for f in RiskFactor.objects.all()}


def _resolutions() -> dict:
    from commitments.models import Resolution

    return {str(r.pk): r for r in Resolution.objects.only("id", "symbol")}


LOOKUP_TABLES: dict[str, Callable[[], dict]] = {
    "state": _states,
    "step": _steps,
    "channel": _channels,
    "risk_factor": _risk_factors,
    "resolution": _resolutions,
    "paragraph": _paragraphs,
}


# --- Parsers: text -> value, or CellError with the reason ----------------------------------------


def required_text(max_length: int) -> Callable[[str, Lookups], str]:
    def parse(text: str, lookups: Lookups) -> str:
        if not text:
            raise CellError(_("this column cannot be empty"))
        return optional_text(max_length)(text, lookups)

    return parse


def optional_text(max_length: int | None = None) -> Callable[[str, Lookups], str]:
    def parse(text: str, lookups: Lookups) -> str:
        if max_length is not None and len(text) > max_length:
            raise CellError(
                _("%(count)d characters, at most %(max)d") % {"count": len(text), "max": max_length}
            )
        return text

    return parse


def optional_url(text: str, lookups: Lookups) -> str:
    if not text:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise CellError(
            _("%(value)s is not a web address (http:// or https://)") % {"value": text}
        ) from None
    return optional_text(500)(text, lookups)


def required_date(text: str, lookups: Lookups) -> datetime.date:
    if not text:
        raise CellError(_("this column cannot be empty"))
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(
            _("%(value)s is not a date (write it as YYYY-MM-DD, e.g. 2026-02-28)") % {"value": text}
        ) from None


def optional_date(text: str, lookups: Lookups) -> datetime.date | None:
    return required_date(text, lookups) if text else None


def integer(low: int, high: int) -> Callable[[str, Lookups], int]:
    def parse(text: str, lookups: Lookups) -> int:
        try:
            value = int(text)
        except ValueError:
            raise CellError(
                _("%(value)s is not a whole number") % {"value": text or '""'}
            ) from None
        if not low <= value <= high:
            raise CellError(
                _("%(value)s is not between %(low)d and %(high)d")
                % {"value": value, "low": low, "high": high}
            )
        return value

    return parse


def choice(values: tuple[str, ...]) -> Callable[[str, Lookups], str]:
    def parse(text: str, lookups: Lookups) -> str:
        if text not in values:
            raise CellError(
                _("%(value)s is not one of: %(values)s")
                % {"value": text or '""', "values": ", ".join(values)}
            )
        return text

    return parse


def optional_choice(values: tuple[str, ...]) -> Callable[[str, Lookups], str]:
    def parse(text: str, lookups: Lookups) -> str:
        return choice(values)(text, lookups) if text else ""

    return parse


BOOLEANS = ("true", "false")


def boolean(text: str, lookups: Lookups) -> bool:
    """``true`` or ``false``, as the export writes them."""
    return choice(BOOLEANS)(text, lookups) == "true"


def optional_integer(low: int, high: int) -> Callable[[str, Lookups], int | None]:
    def parse(text: str, lookups: Lookups) -> int | None:
        return integer(low, high)(text, lookups) if text else None

    return parse


def optional_reference(table: str, label: str) -> Callable[[str, Lookups], object]:
    def parse(text: str, lookups: Lookups):
        return reference(table, label)(text, lookups) if text else None

    return parse


def reference(table: str, label: str) -> Callable[[str, Lookups], object]:
    def parse(text: str, lookups: Lookups):
        found = lookups.get(table, text)
        if found is None:
            raise CellError(_("%(value)s is not a known %(what)s") % {"value": text, "what": label})
        return found

    return parse


def references(table: str, label: str) -> Callable[[str, Lookups], frozenset]:
    """Space-separated keys (the export's form of a many-to-many link), as a set."""

    def parse(text: str, lookups: Lookups) -> frozenset:
        return frozenset(reference(table, label)(key, lookups) for key in text.split())

    return parse


# --- The column lists ---------------------------------------------------------------------------


def public_field_columns(
    model,
    *,
    headers: dict[str, str] | None = None,
    render: dict | None = None,
    parse: dict | None = None,
) -> list[Column]:
    """A column for each of ``model.PUBLIC_FIELDS`` (the one declaration of what is public):
    a relation as its key (a many-to-many as space-separated keys), unless ``render`` says
    otherwise; ``headers`` renames a column; ``parse`` makes it importable."""
    headers, render, parse = headers or {}, render or {}, parse or {}
    columns = []
    for name in model.PUBLIC_FIELDS:
        field = model._meta.get_field(name)
        if name in render:
            get = render[name]
        elif field.many_to_many:
            get = related_keys(name)
        else:
            get = attrgetter(field.attname)
        reader, help_text, choices = parse.get(name, (None, "", ()))
        columns.append(
            Column(
                headers.get(name, name),
                get,
                source=name,
                parse=reader,
                help=help_text,
                choices=choices,
            )
        )
    return columns


def related_keys(name: str) -> Callable[[object], str]:
    return lambda row: " ".join(str(item.pk) for item in getattr(row, name).all())


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _values(choices) -> tuple[str, ...]:
    return tuple(value for value, _label in choices)


def commitment_columns(today: datetime.date) -> list[Column]:
    """For commitment rows (State and step joined, channels and resolutions prefetched): the
    public fields, then readable extras. The terms a person writes are importable."""
    source_kinds = _values(Commitment.SourceKind.choices)
    bases = _values(Basis.choices)
    origins = _values(Origin.choices)
    responses = _values(UprResponse.choices)
    return [
        *public_field_columns(
            Commitment,
            headers={
                "state": "state_code",
                "step": "step_code",
                "latest_update": "latest_update_id",
                "latest_assessment": "latest_assessment_id",
            },
            render={"step": lambda c: c.step.code},
            parse={
                "state": (
                    reference("state", _("State code")),
                    _("ISO 3166 alpha-3, e.g. GHA"),
                    (),
                ),
                "step": (reference("step", _("step code")), _("code of a prevention step"), ()),
                "title": (required_text(250), _("at most 250 characters"), ()),
                "description": (required_text(None), "", ()),
                "source_kind": (choice(source_kinds), "", source_kinds),
                "source_description": (required_text(300), _("at most 300 characters"), ()),
                "source_url": (optional_url, _("http:// or https:// address, or empty"), ()),
                "pledged_on": (required_date, _("YYYY-MM-DD"), ()),
                "target_date": (optional_date, _("YYYY-MM-DD, or empty"), ()),
                "review_interval_days": (integer(7, 1096), _("days, from 7 to 1096"), ()),
                "basis": (choice(bases), "", bases),
                "channels": (
                    references("channel", _("scrutiny channel")),
                    _("channel codes separated by spaces"),
                    (),
                ),
                "resolutions": (
                    references("resolution", _("resolution id")),
                    _("resolution ids separated by spaces"),
                    (),
                ),
                "origin": (optional_choice(origins), _("or empty"), origins),
                "upr_cycle": (optional_integer(1, 9), _("UPR cycle: 1 to 9"), ()),
                "upr_recommending_states": (
                    optional_text(400),
                    _("ISO 3166 alpha-3 codes separated by spaces"),
                    (),
                ),
                "upr_recommendation": (optional_text(None), _("its number or its text"), ()),
                "upr_response": (optional_choice(responses), _("or empty"), responses),
                "operative_paragraph": (
                    optional_reference("paragraph", _("operative paragraph id")),
                    _("id of an operative paragraph"),
                    (),
                ),
                "statement_forum": (optional_text(200), _("e.g. General Assembly dialogue"), ()),
                "statement_on": (optional_date, _("YYYY-MM-DD, or empty"), ()),
                "statement_url": (optional_url, _("http:// or https:// address, or empty"), ()),
            },
        ),
        # In the request's language (English where not translated), then the English.
        Column("state_name", lambda c: c.state.display_name),
        Column("state_name_en", lambda c: c.state.name),
        Column("step_title", lambda c: localised(c.step, "title").text),
        Column("level", lambda c: c.step.level),
        Column("review_overdue", lambda c: c.is_overdue(today)),
        Column("days_overdue", lambda c: c.days_overdue(today)),
        Column("target_missed", lambda c: c.is_target_missed(today)),
        Column("independently_assessed", attrgetter("is_independently_assessed")),
        Column("disagrees", attrgetter("is_in_disagreement")),
        Column("url", lambda c: absolute(c.get_absolute_url())),
    ]


def evidence_url(evidence) -> str:
    return evidence.url or absolute(evidence.get_absolute_url())


def _evidence_links(text: str, lookups: Lookups) -> tuple[str, ...]:
    """Evidence of a new update: links separated by spaces (documents are uploaded on the
    update's page)."""
    return tuple(optional_url(url, lookups) for url in text.split())


def update_columns() -> list[Column]:
    """For progress updates (evidence prefetched). An imported update is a new one (updates
    are append-only): its commitment, date, status, narrative, what it corrects and links."""
    statuses = _values(UPDATE_STATUSES)
    return [
        *public_field_columns(
            ProgressUpdate,
            headers={
                "commitment": "commitment_id",
                "corrects": "corrects_update_id",
                "created_at": "published_at",
            },
            parse={
                "commitment": (integer(1, 2**31 - 1), _("id of the commitment"), ()),
                "reported_on": (required_date, _("YYYY-MM-DD"), ()),
                "status": (choice(statuses), "", statuses),
                "narrative": (required_text(None), _("what was done"), ()),
                "corrects": (
                    _optional_id,
                    _("id of the update this one corrects, or empty"),
                    (),
                ),
            },
        ),
        Column(
            "evidence",
            lambda u: " ".join(evidence_url(e) for e in u.evidence.all()),
            parse=_evidence_links,
            help=_("links separated by spaces"),
        ),
    ]


def _optional_id(text: str, lookups: Lookups) -> int | None:
    return integer(1, 2**31 - 1)(text, lookups) if text else None


def focal_point_columns() -> list[Column]:
    """A focal point appointment as the open-data zip's ``focal_points.csv`` has it (its
    public fields, relations as their stored key): what the secretariat may import back."""
    from focalpoints.models import FocalPoint, Verification

    verifications = _values(Verification.choices)
    return public_field_columns(
        FocalPoint,
        headers={"state": "state_id"},
        render={"state": attrgetter("state_id")},
        parse={
            "state": (
                reference("state", _("State code")),
                _("ISO 3166 alpha-3, e.g. GHA"),
                (),
            ),
            "office": (optional_text(200), _("e.g. Ministry of Foreign Affairs"), ()),
            "title": (optional_text(200), _("title or position"), ()),
            "appointed_on": (optional_date, _("YYYY-MM-DD, or empty"), ()),
            "ended_on": (optional_date, _("YYYY-MM-DD; empty while current"), ()),
            "evidence": (optional_text(None), _("public evidence of the appointment"), ()),
            "evidence_as_of": (optional_date, _("YYYY-MM-DD, or empty"), ()),
            "source_url": (optional_url, _("http:// or https:// address, or empty"), ()),
            "verification": (choice(verifications), "", verifications),
        },
    )


def resolution_columns() -> list[Column]:
    """For resolution rows (States prefetched; ``commitment_count`` annotated by the public
    list): what the secretariat may import back, matched by id or symbol."""
    from focalpoints.models import Verification

    bodies = _values(Body.choices)
    kinds = _values(Resolution.Kind.choices)
    verifications = _values(Verification.choices)
    return [
        Column("id", lambda r: r.pk, source="id"),
        Column(
            "symbol", lambda r: r.symbol, "symbol", required_text(80), _("e.g. S/RES/1674 (2006)")
        ),
        Column("body", lambda r: r.body, "body", choice(bodies), "", bodies),
        Column("kind", lambda r: r.kind, "kind", choice(kinds), "", kinds),
        Column(
            "adopted_on",
            lambda r: r.adopted_on,
            "adopted_on",
            optional_date,
            _("YYYY-MM-DD, or empty"),
        ),
        Column(
            "title", lambda r: r.title, "title", required_text(300), _("at most 300 characters")
        ),
        Column(
            "situation",
            lambda r: r.situation,
            "situation",
            optional_text(200),
            _("the country situation, or empty for a thematic outcome"),
        ),
        Column(
            "states",
            lambda r: " ".join(s.code for s in r.states.all()),
            "states",
            references("state", _("State code")),
            _("State codes separated by spaces"),
        ),
        Column("commitments", lambda r: getattr(r, "commitment_count", None)),
        Column(
            "official_url",
            lambda r: r.official_url,
            "official_url",
            optional_url,
            _("http:// or https:// address, or empty"),
        ),
        Column(
            "verification",
            lambda r: r.verification,
            "verification",
            choice(verifications),
            "",
            verifications,
        ),
        Column("url", lambda r: absolute(r.get_absolute_url())),
    ]


def step_columns() -> list[Column]:
    """The catalogue of prevention steps (channels and risk factors prefetched; the figures
    ``commitment_count``, ``state_count``, ``complete_count`` and ``overdue_count`` annotated by
    the public list): every public field, so that the secretariat may import it back, matched by
    ``code``. ``title`` and ``description`` are in the request's language (English where not yet
    translated) and only for reading; ``title_en`` … ``description_ar`` are the stored texts."""
    from focalpoints.models import Verification

    levels = _values(Level.choices)
    bases = _values(Basis.choices)
    in_report = _values(In2017Report.choices)
    verifications = _values(Verification.choices)
    translation = _("the translation, or empty while not translated")
    columns = public_field_columns(
        PreventionStep,
        headers={"title": "title_en", "description": "description_en"},
        render={
            "channels": lambda s: " ".join(c.code for c in s.channels.all()),
            "risk_factors": lambda s: " ".join(str(f.number) for f in s.risk_factors.all()),
        },
        parse={
            "code": (
                required_text(20),
                _("the step's key: letters, digits and hyphens, e.g. N1"),
                (),
            ),
            "title": (required_text(200), _("in English, at most 200 characters"), ()),
            "title_fr": (optional_text(200), translation, ()),
            "title_es": (optional_text(200), translation, ()),
            "title_ar": (optional_text(200), translation, ()),
            "description": (required_text(None), _("in English"), ()),
            "description_fr": (optional_text(None), translation, ()),
            "description_es": (optional_text(None), translation, ()),
            "description_ar": (optional_text(None), translation, ()),
            "level": (choice(levels), "", levels),
            "actor": (optional_text(120), _("who takes the step, or empty"), ()),
            "basis": (choice(bases), "", bases),
            "channels": (
                references("channel", _("scrutiny channel")),
                _("channel codes separated by spaces"),
                (),
            ),
            "risk_factors": (
                references("risk_factor", _("risk factor number")),
                _("risk factor numbers (1 to 14) separated by spaces, where a source says so"),
                (),
            ),
            "source_document": (required_text(200), _("where the step is found"), ()),
            "source_paragraph": (optional_text(80), _("paragraph or section, or empty"), ()),
            "source_url": (optional_url, _("http:// or https:// address, or empty"), ()),
            "in_2017_report": (optional_choice(in_report), _("or empty"), in_report),
            "para_2017": (optional_text(40), _("empty when not seen in the report"), ()),
            "basis_stated": (optional_text(120), _("only where the source says so"), ()),
            "channels_stated": (optional_text(300), _("only where the source says so"), ()),
            "verification": (choice(verifications), "", verifications),
            "verification_note": (optional_text(None), "", ()),
            "is_active": (boolean, _("true: offered for new commitments"), BOOLEANS),
        },
    )
    # The texts a reader sees, beside the stored English (as the page CSV always had them).
    columns.insert(2, Column("title", lambda s: localised(s, "title").text))
    at = [c.header for c in columns].index("description_en")
    columns.insert(at, Column("description", lambda s: localised(s, "description").text))
    return [
        *columns,
        Column("commitments", lambda s: getattr(s, "commitment_count", None)),
        Column("states", lambda s: getattr(s, "state_count", None)),
        Column("complete", lambda s: getattr(s, "complete_count", None)),
        Column("overdue_reviews", lambda s: getattr(s, "overdue_count", None)),
        Column("url", lambda s: absolute(s.get_absolute_url())),
    ]
