"""What is public is declared once per model (``PUBLIC_FIELDS``, with ``PRIVATE_FIELDS`` beside
it), and every surface — the page CSVs, the open-data zip, the API — takes its columns from that
declaration. These tests hold each surface to it; tests/tracker/test_privacy.py checks the
rendered pages, files and responses for private values."""

import datetime

import pytest

from commitments.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    DocumentedPractice,
    Evidence,
    LedgerEntry,
    OperativeParagraph,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RiskFactor,
    UpdateTranslation,
)
from focalpoints.localisation import translated_columns
from focalpoints.models import FocalPoint, MemberState, Organisation
from tracker import exports
from tracker.api import serializers

PUBLIC_MODELS = [
    MemberState,
    FocalPoint,
    Commitment,
    ProgressUpdate,
    Evidence,
    Resolution,
    OperativeParagraph,
    PreventionStep,
    RiskFactor,
    CommitmentRevision,
    LedgerEntry,
    UpdateTranslation,
    DocumentedPractice,
    Organisation,
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
]


def own_fields(model) -> set[str]:
    """Every field stored with the model's rows (its columns and many-to-many links)."""
    return {field.name for field in [*model._meta.concrete_fields, *model._meta.many_to_many]}


@pytest.mark.parametrize("model", PUBLIC_MODELS, ids=lambda m: m.__name__)
def test_every_field_is_declared_public_or_private_and_never_both(model):
    public, private = set(model.PUBLIC_FIELDS), set(model.PRIVATE_FIELDS)
    assert not public & private
    # A new field must be classified before it can ship: nothing is public by accident.
    assert own_fields(model) - {"history"} == public | private


def test_the_private_fields_of_a_focal_point_are_the_person_and_contacts():
    assert {"person_name", "email", "phone", "internal_notes"} <= set(FocalPoint.PRIVATE_FIELDS)
    assert "author" in ProgressUpdate.PRIVATE_FIELDS
    assert "created_by" in Commitment.PRIVATE_FIELDS


@pytest.mark.parametrize(
    "model", [m for m in PUBLIC_MODELS if m is not LedgerEntry], ids=lambda m: m.__name__
)
def test_the_open_data_zip_has_exactly_the_public_fields(model):
    """(The ledger is in the zip as ledger.jsonl, entry by entry as hashed: see test_ledger.)"""
    (table,) = [table for table in exports.TABLES if table.model is model]
    assert table.fields == exports.stored_public_fields(model)
    links = {n for n in model.PUBLIC_FIELDS if model._meta.get_field(n).many_to_many}
    assert set(table.fields) | links == set(model.PUBLIC_FIELDS)


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        (MemberState, exports.state_columns()),
        (Commitment, exports.commitment_columns(datetime.date(2026, 6, 30))),
        (ProgressUpdate, exports.update_columns()),
        (Assessment, exports.assessment_columns()),
    ],
    ids=["states", "commitments", "updates", "assessments"],
)
def test_each_page_csv_carries_exactly_the_public_fields(model, columns):
    sources = [column.source for column in columns if column.source]
    assert sorted(sources) == sorted(model.PUBLIC_FIELDS)
    assert len({column.header for column in columns}) == len(columns)


# The API names a State relation by its public key (documented in docs/api.md).
API_NAMES = {"member_state": "state", "member_states": "states"}


def _model_fields_read(serializer_class, model) -> set[str]:
    """The model's own fields an API serializer shows: those its fields read (their sources,
    relations by name) or publish under the field's own name (keys attached by the view)."""
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    names = own_fields(model)
    read = set()
    for name, field in serializer_class().fields.items():
        if isinstance(field, serializers.StateNamesField):  # every language of the name
            read |= set(translated_columns("name"))
            continue
        root = field.source.split(".")[0]
        for candidate in (by_attname.get(root, root), API_NAMES.get(name, name)):
            if candidate in names:
                read.add(candidate)
    return read


@pytest.mark.parametrize(
    ("serializer_class", "model"),
    [
        (serializers.MemberStateSerializer, MemberState),
        (serializers.FocalPointSerializer, FocalPoint),
        (serializers.CommitmentSerializer, Commitment),
        (serializers.ProgressUpdateSerializer, ProgressUpdate),
        (serializers.EvidenceSerializer, Evidence),
        (serializers.ResolutionSerializer, Resolution),
        (serializers.PreventionStepSerializer, PreventionStep),
        (serializers.CommitmentRevisionSerializer, CommitmentRevision),
        (serializers.DocumentedPracticeSerializer, DocumentedPractice),
        (serializers.OrganisationSerializer, Organisation),
        (serializers.AssessmentSerializer, Assessment),
        (serializers.AssessmentEvidenceSerializer, AssessmentEvidence),
        (serializers.AssessmentReplySerializer, AssessmentReply),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_the_api_reads_only_public_fields_and_all_of_them(serializer_class, model):
    read = _model_fields_read(serializer_class, model)
    assert read <= set(model.PUBLIC_FIELDS)
    # Evidence sits under its update or assessment, a reply under its assessment.
    nested = {"update", "assessment"} & set(model.PUBLIC_FIELDS)
    missing = set(model.PUBLIC_FIELDS) - read - nested
    assert missing == set()
