"""What each kind of import matches, compares and writes. The columns are the export's
(:mod:`commitments.columns`); the writes are the services the forms call
(:mod:`commitments.services`), so permissions, validation, derived status and history apply
exactly as on the pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from commitments import columns as cols
from commitments import services
from commitments.models import (
    Commitment,
    ImportRun,
    PreventionStep,
    ProgressUpdate,
    Resolution,
)
from focalpoints.models import FocalPoint
from focalpoints.permissions import Action, can, is_secretariat
from focalpoints.services import focal_point_save


class RowError(Exception):
    """The row cannot be imported: ``errors`` is [(column, message), ...]."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Row:
    """One parsed row: the values of the importable columns present (by model field name),
    the raw text by header, and the errors found while parsing."""

    number: int
    values: dict[str, object] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    """What the row does: create, change (with [(header, before, after)]) or nothing."""

    action: str  # "create", "change", "unchanged"
    obj: object | None
    label: str
    changes: list[tuple[str, ...]] = field(default_factory=list)


def _service_errors(exc: Exception, headers: dict[str, str]) -> list[tuple[str, str]]:
    """A service's refusal as (column, message) pairs (field names become headers)."""
    if isinstance(exc, PermissionDenied):
        return [("", str(exc) or _("You may not do this for this State."))]
    if hasattr(exc, "error_dict"):
        return [
            (headers.get(name, "" if name == "__all__" else name), message)
            for name, errors in exc.error_dict.items()
            for message in ValidationError(errors).messages
        ]
    return [("", message) for message in exc.messages]


def _refuse_other_states(user, state_code: str) -> None:
    """Every row must be for a State the user acts for — also a row left unchanged."""
    if not can(user, Action.VIEW_WORKSPACE, state_code):
        raise RowError([("", _("You do not act for %(state)s.") % {"state": state_code})])


class CommitmentKind:
    """Commitments: matched by id, else by State + step + pledge date + title."""

    name = ImportRun.Kind.COMMITMENTS
    KEY = ("state", "step", "pledged_on", "title")

    def __init__(self, today: datetime.date):
        self.columns = cols.commitment_columns(today)
        self.headers = {c.source: c.header for c in self.columns if c.source}
        self._by_id: dict[int, Commitment] = {}
        self._by_key: dict[tuple, Commitment] = {}

    def prefetch(self, rows: list[Row]) -> None:
        """The existing commitments a chunk of rows may match, by id and by stable key, in
        one query each (plus their links)."""
        queryset = Commitment.objects.select_related("state", "step").prefetch_related(
            "channels", "resolutions"
        )
        ids = [row.values["id"] for row in rows if "id" in row.values]
        keyed = [row for row in rows if "id" not in row.values and "title" in row.values]
        self._by_id = queryset.in_bulk(ids) if ids else {}
        self._by_key = {}
        if keyed:
            candidates = queryset.filter(
                title__in={row.values["title"] for row in keyed},
                pledged_on__in={row.values.get("pledged_on") for row in keyed},
            )
            self._by_key = {self._key_of(c): c for c in candidates}

    @staticmethod
    def _key_of(commitment: Commitment) -> tuple:
        return (commitment.state_id, commitment.step_id, commitment.pledged_on, commitment.title)

    def find(self, row: Row) -> Commitment | None:
        if row.text.get("id"):
            found = self._by_id.get(row.values["id"])
            if found is None:
                raise RowError(
                    [("id", _("there is no commitment %(id)s") % {"id": row.text["id"]})]
                )
            return found
        missing = [self.headers[name] for name in self.KEY if name not in row.values]
        if missing:
            raise RowError(
                [(header, _("needed to find or create the commitment")) for header in missing]
            )
        values = row.values
        key = (values["state"].pk, values["step"].pk, values["pledged_on"], values["title"])
        return self._by_key.get(key)

    def label(self, row: Row, obj: Commitment | None) -> str:
        if obj is not None:
            return f"{obj.state_id} · {obj.title}"[:300]
        return f"{row.text.get('state_code', '')} · {row.text.get('title', '')}"[:300]

    def check_permission(self, user, row: Row, obj: Commitment | None) -> None:
        if obj is not None:
            _refuse_other_states(user, obj.state_id)
            state = row.values.get("state")
            if state is not None and state.code != obj.state_id:
                raise RowError(
                    [(self.headers["state"], _("the State of a commitment cannot change"))]
                )
        else:
            _refuse_other_states(user, row.values["state"].code)

    def build(self, *, user, plan: Plan, row: Row) -> services.NewCommitment:
        """A new commitment, authorised and validated by the service (nothing written)."""
        values = {k: v for k, v in row.values.items() if k != "id"}
        links = {k: values.pop(k) for k in ("channels", "resolutions") if k in values}
        missing = [
            self.headers[name]
            for name in ("description", "source_kind", "source_description")
            if name not in values
        ]
        if missing:
            raise RowError(
                [(h, _("this column is needed to create a commitment")) for h in missing]
            )
        return services.NewCommitment(
            commitment=services.commitment_build(user=user, **values),
            resolutions=links.get("resolutions", ()),
            channels=links.get("channels"),
        )

    def write_many(self, *, user, run: ImportRun, built: list) -> None:
        services.commitments_create_bulk(user=user, new=built, history_reason=run.history_reason)

    @staticmethod
    def created_id(built) -> int | None:
        return built.commitment.pk

    def write(self, *, user, run: ImportRun, plan: Plan, row: Row) -> int:
        """A change of terms (creations go through :meth:`build` and :meth:`write_many`)."""
        values = {k: v for k, v in row.values.items() if k not in ("id", "state")}
        links = {k: values.pop(k) for k in ("channels", "resolutions") if k in values}
        changed = {name for name, *_rest in plan.changes}
        terms = {k: v for k, v in values.items() if self.headers[k] in changed}
        links = {k: v for k, v in links.items() if self.headers[k] in changed}
        # A change of terms is a public revision like any other (D-11-2); its reason names the
        # file, the history entry names who imported it.
        services.commitment_revise(
            user=user,
            commitment=plan.obj,
            changes={**terms, **links},
            reason=_("Changed by an import of %(file)s") % {"file": run.file_name},
            history_reason=run.history_reason,
        )
        return plan.obj.pk


class UpdateKind:
    """Progress updates, append-only: a row with an id must match the published update (it is
    unchanged, or refused); a row without one is a new update, unless one with the same
    commitment, date, status and narrative is already published (a file imported twice)."""

    name = ImportRun.Kind.UPDATES
    KEY = ("commitment", "reported_on", "status", "narrative")

    def __init__(self, today: datetime.date):
        self.columns = cols.update_columns()
        self.headers = {c.source or c.header: c.header for c in self.columns}
        self._commitments: dict[int, Commitment | None] = {}
        self._updates: dict[int, ProgressUpdate] = {}
        self._by_key: dict[tuple, ProgressUpdate] = {}

    def prefetch(self, rows: list[Row]) -> None:
        """The commitments and published updates a chunk of rows names: one query each (and
        the updates' evidence)."""
        values = [row.values for row in rows]
        ids = {v["commitment"] for v in values if "commitment" in v}
        update_ids = {v["id"] for v in values if "id" in v} | {
            v["corrects"] for v in values if v.get("corrects")
        }
        updates = ProgressUpdate.objects.select_related("commitment").prefetch_related("evidence")
        self._updates = updates.in_bulk(update_ids) if update_ids else {}
        self._by_key = {}
        if ids:
            dates = {v.get("reported_on") for v in values}
            for update in updates.filter(commitment_id__in=ids, reported_on__in=dates):
                self._by_key[self._key_of(update)] = update
        known = {u.commitment_id: u.commitment for u in self._updates.values()}
        self._commitments = dict.fromkeys(ids) | Commitment.objects.in_bulk(ids - set(known))
        self._commitments |= known

    @staticmethod
    def _key_of(update: ProgressUpdate) -> tuple:
        return (update.commitment_id, update.reported_on, update.status, update.narrative)

    def commitment(self, pk: int) -> Commitment | None:
        return self._commitments.get(pk)

    def find(self, row: Row) -> ProgressUpdate | None:
        if row.text.get("id"):
            found = self._updates.get(row.values["id"])
            if found is None:
                raise RowError(
                    [("id", _("there is no progress update %(id)s") % {"id": row.text["id"]})]
                )
            return found
        missing = [self.headers[name] for name in self.KEY if name not in row.values]
        if missing:
            raise RowError(
                [(header, _("needed to find or create the update")) for header in missing]
            )
        if self.commitment(row.values["commitment"]) is None:
            raise RowError(
                [
                    (
                        "commitment_id",
                        _("there is no commitment %(id)s") % {"id": row.values["commitment"]},
                    )
                ]
            )
        return self._by_key.get(tuple(row.values[name] for name in self.KEY))

    def label(self, row: Row, obj: ProgressUpdate | None) -> str:
        commitment = obj.commitment_id if obj is not None else row.text.get("commitment_id", "")
        reported = obj.reported_on if obj is not None else row.text.get("reported_on", "")
        return _("commitment %(id)s · %(date)s") % {"id": commitment, "date": reported}

    def check_permission(self, user, row: Row, obj: ProgressUpdate | None) -> None:
        commitment = (
            obj.commitment if obj is not None else self.commitment(row.values["commitment"])
        )
        _refuse_other_states(user, commitment.state_id)

    def refuse_change(self, plan: Plan) -> None:
        """A published update is never changed: the row must say so by a correction."""
        if plan.action == "change":
            raise RowError(
                [
                    (
                        header,
                        _(
                            "published updates are never changed: add a new row whose "
                            "corrects_update_id is %(id)s"
                        )
                        % {"id": plan.obj.pk},
                    )
                    for header, *_rest in plan.changes
                ]
            )

    def build(self, *, user, plan: Plan, row: Row) -> services.NewUpdate:
        """A new update, authorised and validated by the service (nothing written)."""
        values = row.values
        corrects = None
        if values.get("corrects"):
            corrects = self._updates.get(values["corrects"])
            if corrects is None:
                raise RowError(
                    [
                        (
                            "corrects_update_id",
                            _("there is no progress update %(id)s") % {"id": values["corrects"]},
                        )
                    ]
                )
        return services.progress_update_build(
            user=user,
            commitment=self.commitment(values["commitment"]),
            reported_on=values["reported_on"],
            status=values["status"],
            narrative=values["narrative"],
            corrects=corrects,
            links=[services.EvidenceLink(url=url) for url in values.get("evidence", ())],
        )

    def write_many(self, *, user, run: ImportRun, built: list) -> None:
        services.progress_updates_create_bulk(new=built, import_run=run)

    @staticmethod
    def created_id(built) -> int | None:
        return built.update.pk


class FocalPointKind:
    """Focal point appointments (the secretariat's): matched by id, else by State and
    appointment date; written by :func:`focalpoints.services.focal_point_save`."""

    name = ImportRun.Kind.FOCAL_POINTS
    KEY = ("state", "appointed_on")

    def __init__(self, today: datetime.date):
        self.columns = cols.focal_point_columns()
        self.headers = {c.source: c.header for c in self.columns if c.source}
        self._by_id: dict[int, FocalPoint] = {}
        self._by_key: dict[tuple, FocalPoint] = {}

    def prefetch(self, rows: list[Row]) -> None:
        ids = [row.values["id"] for row in rows if "id" in row.values]
        states = {row.values["state"].pk for row in rows if "state" in row.values}
        self._by_id = FocalPoint.objects.in_bulk(ids) if ids else {}
        self._by_key = {
            (fp.state_id, fp.appointed_on): fp
            for fp in FocalPoint.objects.filter(state_id__in=states)
        }

    def find(self, row: Row) -> FocalPoint | None:
        if row.text.get("id"):
            found = self._by_id.get(row.values["id"])
            if found is None:
                raise RowError(
                    [("id", _("there is no appointment %(id)s") % {"id": row.text["id"]})]
                )
            return found
        if "state" not in row.values:
            raise RowError([("state_id", _("needed to find or create the appointment"))])
        return self._by_key.get((row.values["state"].pk, row.values.get("appointed_on")))

    def label(self, row: Row, obj: FocalPoint | None) -> str:
        if obj is not None:
            return f"{obj.state_id} · {obj.office or obj.title}"[:300]
        return f"{row.text.get('state_id', '')} · {row.text.get('office', '')}"[:300]

    def check_permission(self, user, row: Row, obj: FocalPoint | None) -> None:
        if not is_secretariat(user):
            raise RowError([("", _("Only the secretariat curates focal point appointments."))])

    def write(self, *, user, run: ImportRun, plan: Plan, row: Row) -> int:
        fields = _written(self.headers, plan, row)
        saved = focal_point_save(
            user=user, appointment=plan.obj, history_reason=run.history_reason, **fields
        )
        return saved.pk


class ResolutionKind:
    """Resolutions (the secretariat's reference data): matched by id, else by symbol;
    written by :func:`commitments.services.resolution_save`."""

    name = ImportRun.Kind.RESOLUTIONS
    KEY = ("symbol",)

    def __init__(self, today: datetime.date):
        self.columns = cols.resolution_columns()
        self.headers = {c.source: c.header for c in self.columns if c.source}
        self._by_id: dict[int, Resolution] = {}
        self._by_symbol: dict[str, Resolution] = {}

    def prefetch(self, rows: list[Row]) -> None:
        ids = [row.values["id"] for row in rows if "id" in row.values]
        symbols = [row.values["symbol"] for row in rows if "symbol" in row.values]
        queryset = Resolution.objects.prefetch_related("states")
        self._by_id = queryset.in_bulk(ids) if ids else {}
        self._by_symbol = {r.symbol: r for r in queryset.filter(symbol__in=symbols)}

    def find(self, row: Row) -> Resolution | None:
        if row.text.get("id"):
            found = self._by_id.get(row.values["id"])
            if found is None:
                raise RowError(
                    [("id", _("there is no resolution %(id)s") % {"id": row.text["id"]})]
                )
            return found
        if "symbol" not in row.values:
            raise RowError([("symbol", _("needed to find or create the resolution"))])
        return self._by_symbol.get(row.values["symbol"])

    def label(self, row: Row, obj: Resolution | None) -> str:
        return (obj.symbol if obj is not None else row.text.get("symbol", ""))[:300]

    def check_permission(self, user, row: Row, obj: Resolution | None) -> None:
        if not is_secretariat(user):
            raise RowError([("", _("Only the secretariat curates resolutions."))])

    def write(self, *, user, run: ImportRun, plan: Plan, row: Row) -> int:
        fields = _written(self.headers, plan, row)
        states = fields.pop("states", None)
        saved = services.resolution_save(
            user=user,
            resolution=plan.obj,
            states=states,
            history_reason=run.history_reason,
            **fields,
        )
        return saved.pk


class StepKind:
    """The catalogue of prevention steps (the secretariat's reference data): matched by
    ``code``, the key commitments, files and addresses use, which an import never changes (an
    ``id`` cell, when present, must be that step's); written by
    :func:`commitments.services.step_save`."""

    name = ImportRun.Kind.STEPS
    KEY = ("code",)

    def __init__(self, today: datetime.date):
        self.columns = cols.step_columns()
        self.headers = {c.source: c.header for c in self.columns if c.source}
        self._by_code: dict[str, PreventionStep] = {}
        self._by_id: dict[int, PreventionStep] = {}

    def prefetch(self, rows: list[Row]) -> None:
        codes = [row.values["code"] for row in rows if "code" in row.values]
        ids = [row.values["id"] for row in rows if "id" in row.values]
        queryset = PreventionStep.objects.prefetch_related("channels", "risk_factors")
        found = queryset.filter(Q(code__in=codes) | Q(pk__in=ids)) if codes or ids else ()
        self._by_code = {step.code: step for step in found}
        self._by_id = {step.pk: step for step in self._by_code.values()}

    def find(self, row: Row) -> PreventionStep | None:
        if "code" not in row.values:
            raise RowError([("code", _("needed to find or create the step"))])
        found = self._by_code.get(row.values["code"])
        if row.text.get("id"):
            by_id = self._by_id.get(row.values["id"])
            if by_id is None:
                raise RowError([("id", _("there is no step %(id)s") % {"id": row.text["id"]})])
            if by_id is not found:
                raise RowError(
                    [
                        (
                            "code",
                            _(
                                "step %(id)s has the code %(code)s: a step's code cannot "
                                "change (commitments and addresses use it)"
                            )
                            % {"id": by_id.pk, "code": by_id.code},
                        )
                    ]
                )
        return found

    def label(self, row: Row, obj: PreventionStep | None) -> str:
        if obj is not None:
            return f"{obj.code} · {obj.title}"[:300]
        return f"{row.text.get('code', '')} · {row.text.get('title_en', '')}"[:300]

    def check_permission(self, user, row: Row, obj: PreventionStep | None) -> None:
        if not is_secretariat(user):
            raise RowError([("", _("Only the secretariat curates the catalogue of steps."))])

    def write(self, *, user, run: ImportRun, plan: Plan, row: Row) -> int:
        fields = _written(self.headers, plan, row)
        links = {k: fields.pop(k) for k in ("channels", "risk_factors") if k in fields}
        saved = services.step_save(
            user=user, step=plan.obj, history_reason=run.history_reason, **links, **fields
        )
        return saved.pk


def _written(headers: dict[str, str], plan: Plan, row: Row) -> dict[str, object]:
    """The values a reference row writes: all of them for a new record, the changed ones
    otherwise."""
    changed = {name for name, *_rest in plan.changes}
    return {
        k: v
        for k, v in row.values.items()
        if k != "id" and (plan.action == "create" or headers[k] in changed)
    }


KINDS = {
    ImportRun.Kind.RESOLUTIONS: ResolutionKind,
    ImportRun.Kind.COMMITMENTS: CommitmentKind,
    ImportRun.Kind.UPDATES: UpdateKind,
    ImportRun.Kind.FOCAL_POINTS: FocalPointKind,
    ImportRun.Kind.STEPS: StepKind,
}
