"""The API's compiled read path gives exactly what DRF's own serialization gives, and the
FilterSets work on their own (outside a request)."""

import datetime

import pytest
from django.http import QueryDict
from rest_framework import serializers as drf
from rest_framework.test import APIRequestFactory

from commitments.models import Commitment, ProgressUpdate, Status
from focalpoints.models import FocalPoint
from tests.factories import CommitmentFactory, FocalPointFactory, ProgressUpdateFactory
from tracker.api import filters, serializers, views


def drf_representation(serializer, instance):
    """What DRF's generic Serializer.to_representation would return."""
    return drf.Serializer.to_representation(serializer, instance)


@pytest.fixture
def rows(state_a):
    FocalPointFactory(state=state_a, ended_on=datetime.date(2024, 1, 1))
    commitment = CommitmentFactory(state=state_a, source_url="https://example.org/pledge")
    original = ProgressUpdateFactory(commitment=commitment)
    ProgressUpdateFactory(commitment=commitment, corrects=original, status=Status.COMPLETE)
    return commitment


def test_fast_path_equals_drf_for_commitments(rows):
    request = APIRequestFactory().get("/")
    commitment = Commitment.objects.select_related("state", "step").get(pk=rows.pk)
    views.attach_keys([commitment], "channels", "channel_codes")
    views.attach_keys([commitment], "resolutions", "resolution_ids")
    serializer = serializers.CommitmentSerializer(
        context={"request": request, "today": datetime.date(2030, 1, 1)}
    )
    fast = serializer.to_representation(commitment)
    assert fast == drf_representation(serializer, commitment)
    assert fast["status"] == "complete"
    assert fast["is_overdue"] is False  # a complete commitment owes no review
    assert fast["source_url"] == "https://example.org/pledge"


def test_fast_path_equals_drf_for_updates_and_focal_points(rows):
    update = views._progress_updates().filter(corrects__isnull=False).get()
    views.attach_updates([update])
    serializer = serializers.ProgressUpdateSerializer(context={})
    assert serializer.to_representation(update) == drf_representation(serializer, update)
    focal_point = FocalPoint.objects.get()
    serializer = serializers.FocalPointSerializer()
    fast = serializer.to_representation(focal_point)
    assert fast == drf_representation(serializer, focal_point)
    assert fast["source_url"] is None  # blank URL -> null, both ways


def test_times_are_utc_with_z(rows):
    update = views._progress_updates().first()
    views.attach_updates([update])
    value = serializers.ProgressUpdateSerializer(context={}).to_representation(update)
    assert value["created_at"].endswith("Z")
    assert datetime.datetime.fromisoformat(value["created_at"][:-1]) == update.created_at.replace(
        tzinfo=None
    )


def test_commitment_filterset_on_its_own(rows, state_b):
    other = CommitmentFactory(state=state_b)
    data = QueryDict("member_state=GHA&ordering=-pledged_on")
    filterset = filters.CommitmentFilter(data, queryset=Commitment.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == [rows]
    assert other not in filterset.qs


def test_filterset_refuses_repeated_and_malformed_values(db):
    for query in ("status=limited&status=complete", "overdue=yes", "ordering=,", "ordering=id,"):
        filterset = filters.CommitmentFilter(QueryDict(query), queryset=Commitment.objects.all())
        assert not filterset.is_valid(), query


def test_filterset_reads_an_empty_value_as_no_filter(rows):
    for query in ("status=", "overdue=", "member_state=", "ordering=", "updated_since="):
        filterset = filters.CommitmentFilter(QueryDict(query), queryset=Commitment.objects.all())
        assert filterset.is_valid(), (query, filterset.errors)
        assert list(filterset.qs) == [rows], query


def test_stable_ordering_appends_the_key(db):
    filterset = filters.ProgressUpdateFilter(
        QueryDict("ordering=-reported_on"), queryset=ProgressUpdate.objects.all()
    )
    assert filterset.is_valid()
    assert filterset.qs.query.order_by == ("-reported_on", "id")
