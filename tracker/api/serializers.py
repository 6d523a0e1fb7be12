"""What the API publishes. Public fields only: a focal point's contact details and internal
notes, users, e-mail addresses and reminders are never serialised.

Dates are ISO 8601 (``YYYY-MM-DD``), times ISO 8601 in UTC (``...Z``), States by their
ISO 3166 alpha-3 code, prevention steps by their stable ``code``, everything else by its id.
"""

import datetime
from functools import cached_property
from operator import attrgetter

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commitments.ledger import entry_as_dict
from commitments.models import (
    UPDATE_STATUSES,
    Assessment,
    AssessmentChannel,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    DocumentedPractice,
    Evidence,
    LedgerEntry,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RiskFactor,
    Status,
    UpdateTranslation,
)
from focalpoints.localisation import LANGUAGES, translated_columns
from focalpoints.models import FocalPoint, MemberState, Organisation, Verification

# --- A fast read path that keeps DRF serializers as the one declaration -----------------------

_IDENTITY_FIELDS = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BooleanField,
)


def _utc_iso(value: datetime.datetime) -> str:
    if value.tzinfo is not datetime.UTC:  # rows read from PostgreSQL are in UTC already
        value = value.astimezone(datetime.UTC)
    return value.isoformat().replace("+00:00", "Z")


def _source_getter(source: str):
    """Follow a dotted source; None anywhere along the way gives None."""
    if "." not in source:
        return attrgetter(source)
    parts = source.split(".")

    def get(instance):
        for part in parts:
            instance = getattr(instance, part)
            if instance is None:
                return None
        return instance

    return get


class OptionalURLField(serializers.URLField):
    """A URL that may be unknown: ``null`` rather than an empty string (which is not a URL)."""

    def __init__(self, **kwargs):
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None

    @staticmethod
    def sql(column: str):
        """:meth:`to_representation` in SQL, for a statement that writes the field itself
        (tracker/api/mirror.py)."""
        return NullIf(column, Value(""))


class _Bound:
    """A step of a plan that needs the serializer running it (its context, its methods)."""

    def bind(self, serializer):
        raise NotImplementedError


class _Method(_Bound):
    def __init__(self, name: str):
        self.name = name

    def bind(self, serializer):
        return getattr(serializer, self.name)


class _Nested(_Bound):
    """Related rows serialised by a nested FastReadSerializer with the running context."""

    def __init__(self, serializer_class, source: str):
        self.serializer_class, self.get = serializer_class, attrgetter(source)

    def bind(self, serializer):
        child, get = self.serializer_class(context=serializer.context), self.get

        def related(instance):
            items = get(instance)  # a list the view attached, or a (prefetched) manager
            items = items.all() if hasattr(items, "all") else items
            return [child.to_representation(item) for item in items]

        return related


# Plans by serializer class: building a ModelSerializer's fields (deep copies, model field
# introspection, translated labels) cost more than serialising a 100-row page (measured,
# D-16-12), and the fields are the same for every request.
_PLANS: dict[type, list] = {}


class FastReadSerializer(serializers.ModelSerializer):
    """A read-only serializer whose ``to_representation`` runs a plan compiled once per
    serializer class (from its fields, built once): plain attribute reads and ISO formatting
    instead of DRF's per-field dispatch, and no field objects built per request. Output is
    identical to DRF's for the field types used here; any other field falls back to DRF's own
    code."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: OptionalURLField,
    }

    def _compile(self, field):
        if isinstance(field, OptionalURLField):
            get_url = _source_getter(field.source)
            return lambda instance: get_url(instance) or None
        if isinstance(field, serializers.SerializerMethodField):
            return _Method(field.method_name)
        if (
            isinstance(field, serializers.PrimaryKeyRelatedField)
            and field.pk_field is None
            and "." not in field.source
        ):
            # DRF's primary-key-only read: the foreign key's column, no related row.
            return attrgetter(self.Meta.model._meta.get_field(field.source).attname)
        if isinstance(field, serializers.ListSerializer) and isinstance(
            field.child, FastReadSerializer
        ):
            return _Nested(type(field.child), field.source)
        if field.source == "*":
            return _compile_flat(field) or (lambda instance: field.to_representation(instance))
        return _compile_related(field) or _compile_value(field)

    def _column_path(self, field) -> str | None:
        """The attribute path whose value *is* the field's JSON as orjson writes it (dates,
        UTC times as ``…Z`` with ``OPT_UTC_Z``, lists of keys, plain values), or None where
        the field's step must run: what a mirror page takes straight from a row's values
        (tracker/api/mirror.py). Exactly the fields :meth:`_compile` reads without changing."""
        if (
            isinstance(field, OptionalURLField | serializers.SerializerMethodField)
            or field.source == "*"
        ):
            return None
        if (
            isinstance(field, serializers.PrimaryKeyRelatedField)
            and field.pk_field is None
            and "." not in field.source
        ):
            return self.Meta.model._meta.get_field(field.source).attname
        if isinstance(field, serializers.ListField):
            return field.source if isinstance(field.child, _IDENTITY_FIELDS) else None
        if isinstance(field, serializers.DateTimeField | serializers.DateField):
            return field.source
        if isinstance(field, _IDENTITY_FIELDS) and not isinstance(
            field, serializers.DecimalField | serializers.MultipleChoiceField
        ):
            return field.source
        return None

    @classmethod
    def _template(cls) -> list:
        """``(name, step, column path)`` for each field, in order (see :meth:`_column_path`)."""
        template = _PLANS.get(cls)
        if template is None:
            prototype = cls(context={})
            template = _PLANS[cls] = [
                (name, prototype._compile(field), prototype._column_path(field))
                for name, field in prototype.fields.items()
                if not field.write_only
            ]
        return template

    @classmethod
    def column_paths(cls) -> list[tuple[str, str | None]]:
        """Each field's name and column path (or None), in the order of the output."""
        return [(name, path) for name, _step, path in cls._template()]

    def plan(self) -> list:
        """Each field's name and the function reading it from a row, bound to this serializer
        (its context, its methods), in the order of the output."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = [
                (name, step.bind(self) if isinstance(step, _Bound) else step)
                for name, step, _path in self._template()
            ]
        return plan

    def to_representation(self, instance):
        return {name: get(instance) for name, get in self.plan()}


def _compile_flat(field):
    """A nested serializer of plain values read from the row itself (``source="*"``, e.g. a
    State's counts by status): one dict of attribute reads, or None for anything else."""
    if not isinstance(field, serializers.Serializer):
        return None
    children = list(field.fields.items())
    if not all(type(child) in _IDENTITY_FIELDS for _name, child in children):
        return None
    getters = [(name, _source_getter(child.source)) for name, child in children]
    return lambda instance: {name: get(instance) for name, get in getters}


def _compile_related(field):
    """The plan for a field listing related rows, or None for any other field."""
    if isinstance(field, serializers.ListField) and isinstance(field.child, _IDENTITY_FIELDS):
        return _source_getter(field.source)  # already a list of plain values
    if isinstance(field, serializers.ManyRelatedField):
        slug = getattr(field.child_relation, "slug_field", None) or "pk"
        manager = attrgetter(field.source)
        return lambda instance: [getattr(item, slug) for item in manager(instance).all()]
    if isinstance(field, serializers.ListSerializer):
        child = field.child
        get = attrgetter(field.source)

        def related(instance):
            items = get(instance)  # a list the view attached, or a (prefetched) manager
            items = items.all() if hasattr(items, "all") else items
            return [child.to_representation(item) for item in items]

        return related
    return None


def _compile_value(field):
    """The plan for a field holding one value: plain reads where DRF's output is the value."""
    get = _source_getter(field.source)
    if isinstance(field, serializers.DateTimeField):
        return lambda instance: (v := get(instance)) and _utc_iso(v)
    if isinstance(field, serializers.DateField):
        return lambda instance: (v := get(instance)) and v.isoformat()
    if isinstance(field, _IDENTITY_FIELDS) and not isinstance(
        field, serializers.DecimalField | serializers.MultipleChoiceField
    ):
        return get

    def fallback(instance):
        value = field.get_attribute(instance)
        return None if value is None else field.to_representation(value)

    return fallback


def public_api_fields(model, *, rename=None, omit=(), after=None, extra=()) -> list[str]:
    """The fields the API publishes for ``model``: its ``PUBLIC_FIELDS`` (the one declaration of
    what is public), renamed where the API names a relation by its public key
    (``state`` -> ``member_state``), with computed fields placed ``after`` a field (the
    documented order of the CSV columns) or at the end (``extra``)."""
    rename, after = rename or {}, after or {}
    names = []
    for name in model.PUBLIC_FIELDS:
        if name in omit:
            continue
        names.append(rename.get(name, name))
        names.extend(after.get(names[-1], ()))
    return [*names, *extra]


def _keys(source: str, child, help_text: str):
    """A list of related rows' stable keys (codes, numbers or ids), attached to each row by
    the view (``tracker.api.views.attach_keys``)."""
    return serializers.ListField(child=child, source=source, read_only=True, help_text=help_text)


def _codes(source: str, help_text: str):
    return _keys(source, serializers.CharField(), help_text)


# --- Member States --------------------------------------------------------------------------------


def _status_key(status: str) -> str:
    return "n_" + status.replace("-", "_")


StatusCountsSerializer = type(
    "StatusCountsSerializer",
    (serializers.Serializer,),
    {
        status: serializers.IntegerField(source=_status_key(status), help_text=str(label))
        for status, label in Status.choices
    },
)
StatusCountsSerializer.__doc__ = "Number of the State's commitments in each status."


@extend_schema_field(
    {
        "type": "object",
        "properties": {code: {"type": "string"} for code in LANGUAGES},
        "required": list(LANGUAGES),
        "example": {"en": "Germany", "fr": "Allemagne", "es": "Alemania", "ar": "ألمانيا"},
    }
)
class StateNamesField(serializers.Field):
    """The State's name in the four site languages (``MemberState.names``: the English where
    a translation is missing). ``name`` stays the stable English (UN) short name."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return value.names


class MemberStateSerializer(FastReadSerializer):
    names = StateNamesField(help_text="The name in English, French, Spanish and Arabic.")
    has_focal_point = serializers.BooleanField(
        help_text="Whether the State has a current (not ended) focal point appointment."
    )
    focal_point_since = serializers.DateField(
        allow_null=True, help_text="When the current focal point was appointed, if known."
    )
    commitments_total = serializers.IntegerField(help_text="All the State's commitments.")
    commitments_by_status = StatusCountsSerializer(source="*")
    overdue_reviews = serializers.IntegerField(
        help_text="Commitments whose review date has passed without a report."
    )
    last_changed = serializers.DateTimeField(
        help_text="The latest change to the State, its focal points or its commitments: what "
        "`updated_since` filters on."
    )

    class Meta:
        model = MemberState
        fields = public_api_fields(
            MemberState,
            omit=translated_columns("name")[1:],
            after={
                "name": ["names"],
                "un_member_since": [
                    "has_focal_point",
                    "focal_point_since",
                    "commitments_total",
                    "commitments_by_status",
                    "overdue_reviews",
                ],
            },
            extra=["last_changed"],
        )


# --- Focal point appointments -------------------------------------------------------------------


class FocalPointSerializer(FastReadSerializer):
    """A focal point appointment: public fields only (never the person's contact details)."""

    member_state = serializers.CharField(source="state_id", help_text="ISO 3166 alpha-3 code.")
    is_current = serializers.BooleanField(help_text="Not ended.")

    class Meta:
        model = FocalPoint
        fields = public_api_fields(
            FocalPoint, rename={"state": "member_state"}, after={"ended_on": ["is_current"]}
        )
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        assert not set(fields) & set(FocalPoint.PRIVATE_FIELDS), "private field in the API"
        return fields


# --- Resolutions and prevention steps ---------------------------------------------------------


class ResolutionSerializer(FastReadSerializer):
    member_states = _codes("state_codes", "ISO 3166 alpha-3 codes of the States concerned.")

    class Meta:
        model = Resolution
        fields = public_api_fields(Resolution, rename={"states": "member_states"})


class PreventionStepSerializer(FastReadSerializer):
    channels = _codes("channel_codes", "Codes of the channels of scrutiny.")
    risk_factors = _keys(
        "risk_factor_numbers",
        serializers.IntegerField(),
        "Numbers of the risk factors (UN Framework of Analysis for Atrocity Crimes).",
    )

    class Meta:
        model = PreventionStep
        fields = public_api_fields(PreventionStep)


class RiskFactorSerializer(FastReadSerializer):
    steps = _codes("step_codes", "Codes of the prevention steps that address this factor.")

    class Meta:
        model = RiskFactor
        fields = public_api_fields(RiskFactor, extra=("steps",))


# --- Documented practice ------------------------------------------------------------------------


class DocumentedPracticeSerializer(FastReadSerializer):
    """A sourced example of what a State did: the public record, not a focal point's report."""

    member_state = serializers.CharField(source="state_id", help_text="ISO 3166 alpha-3 code.")
    step = serializers.CharField(
        source="step_code", allow_null=True, help_text="Prevention step code, if any."
    )

    class Meta:
        model = DocumentedPractice
        fields = public_api_fields(DocumentedPractice, rename={"state": "member_state"})


# --- Progress updates -----------------------------------------------------------------------------


class EvidenceSerializer(FastReadSerializer):
    file = serializers.SerializerMethodField(
        help_text="Absolute URL of the uploaded document (null for a link)."
    )

    class Meta:
        model = Evidence
        # Nested under its update, so the update's id is not repeated.
        fields = public_api_fields(Evidence, omit=("update",))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, evidence) -> str | None:
        if not evidence.file:
            return None
        request = self.context.get("request")
        url = evidence.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class UpdateTranslationSerializer(FastReadSerializer):
    """A translation of the narrative into another language, added after publication."""

    class Meta:
        model = UpdateTranslation
        fields = [name for name in UpdateTranslation.PUBLIC_FIELDS if name not in ("id", "update")]


class ProgressUpdateSerializer(FastReadSerializer):
    commitment = serializers.IntegerField(source="commitment_id")
    member_state = serializers.CharField(
        source="member_state_code", help_text="ISO 3166 alpha-3 code of the commitment's State."
    )
    corrects = serializers.IntegerField(
        source="corrects_id",
        allow_null=True,
        help_text="The earlier update this one corrects (it stays public).",
    )
    corrected_by = serializers.IntegerField(
        allow_null=True,
        help_text="The later update that corrects this one; a corrected update no longer sets "
        "the commitment's status.",
    )
    is_correction = serializers.BooleanField()
    evidence = EvidenceSerializer(many=True, read_only=True, source="evidence_rows")
    translations = UpdateTranslationSerializer(
        many=True,
        read_only=True,
        help_text="The narrative in other languages, added later by the State's focal point "
        "(`narrative` and `language` stay as published).",
    )

    class Meta:
        model = ProgressUpdate
        fields = public_api_fields(
            ProgressUpdate,
            after={
                "commitment": ["member_state"],
                "language": ["translations"],
                "corrects": ["corrected_by", "is_correction", "evidence"],
            },
        )


class EvidenceLinkInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class ProgressUpdateCreateSerializer(serializers.Serializer):
    """A new progress update (or a correction) on the commitment in the URL. The same rules as
    the workspace form apply (one implementation: ``progress_update_create``)."""

    reported_on = serializers.DateField(help_text="The reporting date (not in the future).")
    status = serializers.ChoiceField(choices=UPDATE_STATUSES, help_text="Status after the update.")
    narrative = serializers.CharField(max_length=20_000, help_text="What was done.")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language the narrative is written in (default: the token holder's).",
    )
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=ProgressUpdate.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of an earlier update of this commitment that this one corrects.",
    )
    links = EvidenceLinkInputSerializer(
        many=True, required=False, default=list, max_length=20, help_text=str(_("Evidence links."))
    )


# --- Independent scrutiny: organisations, assessments and the States' replies ---------------------


class OrganisationSerializer(FastReadSerializer):
    """An approved assessor organisation: public fields only (never its contact address or
    members)."""

    country = serializers.CharField(
        source="country_id",
        allow_null=True,
        help_text="ISO 3166 alpha-3 code of its country; null for an international organisation.",
    )

    class Meta:
        model = Organisation
        fields = public_api_fields(Organisation)


class AssessmentEvidenceSerializer(FastReadSerializer):
    file = serializers.SerializerMethodField(
        help_text="Absolute URL of the uploaded document (null for a link)."
    )

    class Meta:
        model = AssessmentEvidence
        fields = public_api_fields(AssessmentEvidence, omit=("assessment",))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, evidence) -> str | None:
        if not evidence.file:
            return None
        request = self.context.get("request")
        url = evidence.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class AssessmentReplySerializer(FastReadSerializer):
    """The State's reply, by its focal point or a delegate (the author is private)."""

    class Meta:
        model = AssessmentReply
        fields = public_api_fields(AssessmentReply, omit=("assessment",))


class AssessmentSerializer(FastReadSerializer):
    """A published independent assessment (submitted and rejected ones are never listed)."""

    commitment = serializers.IntegerField(source="commitment_id")
    member_state = serializers.CharField(
        source="member_state_code", help_text="ISO 3166 alpha-3 code of the commitment's State."
    )
    organisation = serializers.IntegerField(source="organisation_id")
    government_status = serializers.ChoiceField(
        choices=Status.choices,
        help_text="The commitment's current status, as the government reports it.",
    )
    disagrees = serializers.BooleanField(
        help_text="This assessment's status differs from the government's current status by at "
        "least one level (the rule of `commitments/<id>/`'s `disagrees`)."
    )
    corrects = serializers.IntegerField(
        source="corrects_id",
        allow_null=True,
        help_text="The earlier assessment this one corrects (it stays public).",
    )
    corrected_by = serializers.IntegerField(
        allow_null=True, help_text="The published assessment that corrects this one."
    )
    is_correction = serializers.BooleanField()
    is_disputed = serializers.BooleanField(
        help_text="Marked disputed by the secretariat (`dispute_reason` says why)."
    )
    evidence = AssessmentEvidenceSerializer(many=True, read_only=True, source="evidence_rows")
    reply = AssessmentReplySerializer(
        read_only=True,
        allow_null=True,
        source="reply_row",
        help_text="The State's reply (at most one), or null.",
    )
    last_changed = serializers.DateTimeField(
        help_text="The latest of its publication, dispute and reply: what `updated_since` "
        "filters on."
    )

    class Meta:
        model = Assessment
        fields = public_api_fields(
            Assessment,
            after={
                "commitment": ["member_state"],
                "status": ["government_status", "disagrees"],
                "corrects": ["corrected_by", "is_correction", "evidence"],
                "dispute_reason": ["is_disputed", "reply"],
            },
            extra=["last_changed"],
        )

    def get_fields(self):
        fields = super().get_fields()
        assert not set(fields) & set(Assessment.PRIVATE_FIELDS), "private field in the API"
        return fields


class AssessmentCreateSerializer(serializers.Serializer):
    """A new independent assessment (or a correction) of the commitment in the URL, for the
    organisation of the token. The same rules as the workspace form apply (one implementation:
    ``assessment_submit``); it is submitted for moderation, not published."""

    organisation = serializers.IntegerField(
        required=False,
        help_text="The organisation assessing (default: the token's; any other is refused).",
    )
    status = serializers.ChoiceField(
        choices=UPDATE_STATUSES, help_text="The organisation's own status of the commitment."
    )
    period_start = serializers.DateField(help_text="Start of the period assessed.")
    period_end = serializers.DateField(help_text="End of the period assessed (not in the future).")
    narrative = serializers.CharField(max_length=20_000, help_text="The assessment.")
    channel = serializers.ChoiceField(
        choices=AssessmentChannel.choices, help_text="Through what it was produced."
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language the narrative is written in (default: the token holder's).",
    )
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=Assessment.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of a published assessment of this commitment, by the same organisation, "
        "that this one corrects.",
    )
    links = EvidenceLinkInputSerializer(
        many=True, required=False, default=list, max_length=20, help_text=str(_("Evidence links."))
    )


class SubmittedAssessmentSerializer(serializers.Serializer):
    """What the submitter gets back: the assessment as submitted, waiting for moderation (not
    public until a moderator publishes it)."""

    id = serializers.IntegerField()
    commitment = serializers.IntegerField(source="commitment_id")
    organisation = serializers.IntegerField(source="organisation_id")
    status = serializers.ChoiceField(choices=UPDATE_STATUSES)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    narrative = serializers.CharField()
    language = serializers.CharField()
    channel = serializers.ChoiceField(choices=AssessmentChannel.choices)
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    moderation = serializers.ChoiceField(
        choices=Assessment._meta.get_field("moderation").choices,
        help_text="`submitted`: waiting for moderation; published later, or rejected with a "
        "reason shown to the organisation in its workspace.",
    )
    evidence = AssessmentEvidenceSerializer(many=True, read_only=True, source="evidence.all")
    created_at = serializers.DateTimeField()


# --- Commitments ------------------------------------------------------------------------------


class CommitmentSerializer(FastReadSerializer):
    member_state = serializers.CharField(source="state_id", help_text="ISO 3166 alpha-3 code.")
    regional_group = serializers.ChoiceField(
        source="state.regional_group",
        choices=MemberState._meta.get_field("regional_group").choices,
        allow_blank=True,
        help_text="The State's UN regional group (empty for observers and organisations).",
    )
    step = serializers.CharField(source="step.code", help_text="The prevention step's code.")
    level = serializers.ChoiceField(
        source="step.level",
        choices=PreventionStep._meta.get_field("level").choices,
        help_text="The step's level.",
    )
    channels = _codes("channel_codes", "Codes of the channels of scrutiny.")
    resolutions = _keys("resolution_ids", serializers.IntegerField(), "Ids of related resolutions.")
    latest_update = serializers.IntegerField(
        source="latest_update_id",
        allow_null=True,
        help_text="The update that sets the current status.",
    )
    is_overdue = serializers.SerializerMethodField(
        help_text="The review date has passed (judged in the site's time zone, today)."
    )
    days_overdue = serializers.SerializerMethodField(
        help_text="Days since the review fell due (0 when it is not overdue)."
    )
    target_missed = serializers.SerializerMethodField(
        help_text="The target date has passed and the commitment is neither complete nor withdrawn."
    )
    independent_status = serializers.ChoiceField(
        choices=Commitment._meta.get_field("independent_status").choices,
        allow_blank=True,
        help_text="The latest independent status (the latest effective published assessment, "
        "whichever organisation made it); empty while no assessment is published.",
    )
    latest_assessment = serializers.IntegerField(
        source="latest_assessment_id",
        allow_null=True,
        help_text="The published independent assessment that sets `independent_status` (see "
        "`assessments/`).",
    )
    independently_assessed = serializers.BooleanField(
        source="is_independently_assessed",
        help_text="At least one independent assessment is published (`independent_status` set).",
    )
    disagrees = serializers.BooleanField(
        source="is_in_disagreement",
        help_text="The latest independent status differs from the government's by at least one "
        "level (withdrawn differs from every level; nothing differs from not yet reported).",
    )

    class Meta:
        model = Commitment
        fields = public_api_fields(
            Commitment,
            rename={"state": "member_state"},
            after={
                "member_state": ["regional_group"],
                "step": ["level"],
                "target_date": ["target_missed"],
                "next_review_due": ["is_overdue", "days_overdue"],
                "latest_assessment": ["independently_assessed", "disagrees"],
            },
        )

    @cached_property
    def today(self) -> datetime.date:
        return self.context["today"]  # read once: DRF finds the context through the root

    def get_is_overdue(self, commitment) -> bool:
        return commitment.is_overdue(self.today)

    def get_days_overdue(self, commitment) -> int:
        return commitment.days_overdue(self.today)

    def get_target_missed(self, commitment) -> bool:
        return commitment.is_target_missed(self.today)


class CommitmentDetailSerializer(CommitmentSerializer):
    updates = ProgressUpdateSerializer(
        many=True,
        read_only=True,
        help_text="The full timeline, oldest first, corrections included.",
    )
    assessments = AssessmentSerializer(
        many=True,
        read_only=True,
        help_text="The published independent assessments, by the end of the period assessed "
        "(corrections included), each with the State's reply: as in `assessments/`.",
    )

    class Meta(CommitmentSerializer.Meta):
        fields = [*CommitmentSerializer.Meta.fields, "updates", "assessments"]


class CommitmentRevisionSerializer(FastReadSerializer):
    """A change to a pledge's terms, with its reason and at whose request (the accounts that
    asked and approved are private; the secretariat always approves)."""

    commitment = serializers.IntegerField(source="commitment_id")
    member_state = serializers.CharField(
        source="commitment.state_id", help_text="ISO 3166 alpha-3 code of the commitment's State."
    )

    class Meta:
        model = CommitmentRevision
        fields = public_api_fields(CommitmentRevision, after={"commitment": ["member_state"]})


class LedgerEntrySerializer(serializers.Serializer):
    """One entry of the hash chain, exactly as its hash covers it (docs/ledger.md)."""

    sequence = serializers.IntegerField()
    recorded_at = serializers.CharField(help_text="UTC, with microseconds.")
    kind = serializers.ChoiceField(choices=LedgerEntry.Kind.choices)
    state = serializers.CharField(help_text="ISO 3166 alpha-3 code.")
    subject_type = serializers.CharField()
    subject_id = serializers.IntegerField()
    commitment = serializers.IntegerField(allow_null=True)
    record = serializers.DictField(help_text="The public record as published.")
    previous_hash = serializers.CharField()
    hash = serializers.CharField(help_text="SHA-256 of the canonical JSON of the rest.")

    def to_representation(self, instance):
        return entry_as_dict(instance)


class LedgerHeadSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="0 while the ledger is empty.")
    hash = serializers.CharField()


class LedgerPageSerializer(serializers.Serializer):
    head = LedgerHeadSerializer()
    next = serializers.URLField(allow_null=True)
    results = LedgerEntrySerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    """What was deleted, when and why (from the ledger), for mirrors to delete it too."""

    sequence = serializers.IntegerField()
    deleted_at = serializers.CharField()
    member_state = serializers.CharField()
    subject_type = serializers.CharField()
    subject_id = serializers.IntegerField()
    reason = serializers.CharField()
    also_deleted = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField())
    )


# --- Stats (the shapes of tracker.stats, documented for the schema) ----------------------------


class StatsCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StatsReferenceFigureSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    at_least = serializers.BooleanField(help_text="The source says 'more than'.")
    statement = serializers.CharField()
    as_of = serializers.CharField(help_text="A date, or a month or year as the source gives it.")
    source_name = serializers.CharField()
    source_url = serializers.CharField(allow_blank=True)
    verification = serializers.ChoiceField(
        choices=Verification.choices, help_text="How sure the source data is of the figure."
    )
    note = serializers.CharField(allow_blank=True, help_text="What was seen, and what was not.")


class StatsCoverageGroupSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="Regional group.")
    label = serializers.CharField()
    member_states = serializers.IntegerField()
    with_focal_point = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    member_states = serializers.IntegerField(help_text="UN Member States.")
    with_focal_point = serializers.IntegerField(help_text="... with a current focal point.")
    groups = StatsCoverageGroupSerializer(many=True)
    others = StatsCodeNameSerializer(
        many=True, help_text="Observers and organisations with a current focal point."
    )
    reported_only = serializers.IntegerField(
        help_text="UN Member States for which a public source reported a focal point (a year, "
        "a network role, a meeting hosted) but none is recorded as current: not counted in "
        "`with_focal_point`."
    )
    reference = StatsReferenceFigureSerializer(
        allow_null=True, help_text="The latest sourced headline figure, shown beside ours."
    )
    references = StatsReferenceFigureSerializer(
        many=True,
        help_text="The latest figure of each source (the network's own count, the 2017 "
        "report's), each with its grade.",
    )


class StatsStatusRowSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class ByStatusSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    rows = StatsStatusRowSerializer(many=True)


class StatsLevelRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=PreventionStep._meta.get_field("level").choices)
    label = serializers.CharField()
    commitments = serializers.IntegerField(help_text="Active pledges (not withdrawn).")
    complete = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    states = serializers.IntegerField(help_text="States with at least one active pledge.")


class ByLevelSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    rows = StatsLevelRowSerializer(many=True)


class StatsStepRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    level = serializers.ChoiceField(choices=PreventionStep._meta.get_field("level").choices)
    commitments = serializers.IntegerField()
    complete = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    states = serializers.IntegerField()


class ByStepSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    rows = StatsStepRowSerializer(many=True)


class StatsGroupStatusSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="Regional group.")
    label = serializers.CharField()
    by_status = ByStatusSerializer()


class StatsOverdueStateSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    overdue = serializers.IntegerField()
    oldest_due = serializers.DateField()


class OverdueSerializer(serializers.Serializer):
    today = serializers.DateField()
    count = serializers.IntegerField(help_text="Commitments whose review is overdue.")
    states = StatsOverdueStateSerializer(many=True)


class StatsQuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text="E.g. 2025-Q3.")
    start = serializers.DateField()
    updates = serializers.IntegerField()
    corrections = serializers.IntegerField()


class PerQuarterSerializer(serializers.Serializer):
    rows = StatsQuarterSerializer(many=True)
    total = serializers.IntegerField()
    before = serializers.IntegerField(help_text="Updates reported before the first quarter.")


class StatsStatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    count = serializers.IntegerField()


class StatsMatrixRowSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The basis, channel code, source kind or level.")
    label = serializers.CharField()
    total = serializers.IntegerField(help_text="Commitments (withdrawn included).")
    by_status = StatsStatusCountSerializer(many=True, help_text="Every status, in order.")
    overdue = serializers.IntegerField(help_text="Reviews overdue today.")
    target_missed = serializers.IntegerField(
        help_text="Target date passed and not complete (withdrawn included)."
    )
    complete_share = serializers.FloatField(
        allow_null=True, help_text="Complete / total (0 to 1); null when there are none."
    )


class StatsChannelRowSerializer(StatsMatrixRowSerializer):
    level = serializers.ChoiceField(choices=PreventionStep._meta.get_field("level").choices)


class StatsLevelMatrixRowSerializer(StatsMatrixRowSerializer):
    states = serializers.IntegerField(help_text="States with a commitment at this level.")


class StatsStatusLabelSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()


class AccountabilitySerializer(serializers.Serializer):
    """The accountability matrices (``tracker.stats.accountability``): each row links on the
    site to ``/commitments/?<param>=<value>&status=...``."""

    statuses = StatsStatusLabelSerializer(many=True)
    by_basis = StatsMatrixRowSerializer(many=True)
    by_channel = StatsChannelRowSerializer(
        many=True, help_text="A commitment with several channels counts under each."
    )
    by_source_kind = StatsMatrixRowSerializer(many=True)
    by_level = StatsLevelMatrixRowSerializer(many=True)


class StatsCycleCountsSerializer(serializers.Serializer):
    due = serializers.IntegerField(help_text="Reviews that fell due.")
    on_time = serializers.IntegerField(help_text="... reported on or before the due date.")
    late = serializers.IntegerField(help_text="... reported after the due date.")
    missing = serializers.IntegerField(help_text="... not reported, and overdue.")
    pending = serializers.IntegerField(help_text="... not reported, not yet overdue.")
    on_time_share = serializers.FloatField(
        allow_null=True, help_text="on_time / (on_time + late + missing); null when none."
    )


class StatsCycleGroupSerializer(StatsCycleCountsSerializer):
    slug = serializers.CharField(help_text="Regional group.")
    label = serializers.CharField()


class StatsCycleStateSerializer(StatsCycleCountsSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField(allow_null=True, allow_blank=True)


class ReportingCycleSerializer(serializers.Serializer):
    """Who reported on the reviews that fell due in the period (``tracker.stats``)."""

    start = serializers.DateField()
    end = serializers.DateField()
    totals = StatsCycleCountsSerializer()
    groups = StatsCycleGroupSerializer(many=True)
    states = StatsCycleStateSerializer(many=True, help_text="States with a review due.")


class StatsTrendRowSerializer(StatsCycleCountsSerializer):
    quarter = serializers.CharField(help_text="E.g. 2026-Q2.")
    start = serializers.DateField()
    end = serializers.DateField()
    overdue = serializers.IntegerField(help_text="Reviews overdue at the end of the quarter.")


class ReportingTrendSerializer(serializers.Serializer):
    rows = StatsTrendRowSerializer(many=True, help_text="The last eight quarters, oldest first.")


class IndependentScrutinySerializer(serializers.Serializer):
    """Commitments with a published independent assessment, and those in disagreement (the
    dashboard's and profiles' figures; each links on the site to the filtered list)."""

    total = serializers.IntegerField(help_text="Commitments (withdrawn included).")
    assessed = serializers.IntegerField(
        help_text="... with at least one published independent assessment "
        "(`commitments/?independently_assessed=true`)."
    )
    in_disagreement = serializers.IntegerField(
        help_text="... whose latest independent status disagrees with the government's "
        "(`commitments/?disagrees=true`)."
    )


class StatsSerializer(serializers.Serializer):
    """The dashboard's figures, computed by ``tracker.stats`` (the same numbers as the pages).
    Codes are stable; ``label`` values follow the request's language (Accept-Language)."""

    today = serializers.DateField(help_text="The day reviews are judged against.")
    last_changed = serializers.DateTimeField(allow_null=True)
    regional_group = serializers.CharField(allow_null=True)
    coverage = CoverageSerializer()
    by_status = ByStatusSerializer()
    independent_scrutiny = IndependentScrutinySerializer()
    by_level = ByLevelSerializer()
    by_step = ByStepSerializer()
    by_regional_group = StatsGroupStatusSerializer(many=True)
    overdue = OverdueSerializer()
    per_quarter = PerQuarterSerializer()
    accountability = AccountabilitySerializer(
        help_text="Commitments by basis, scrutiny channel, source kind and level, each by "
        "status, with reviews overdue and targets missed."
    )
    reporting_cycle = ReportingCycleSerializer(
        help_text="The reviews due in `period` (default: the current quarter) and how they "
        "were answered."
    )
    reporting_trend = ReportingTrendSerializer(
        help_text="Overdue reviews and on-time reporting by quarter, from the dated updates."
    )
