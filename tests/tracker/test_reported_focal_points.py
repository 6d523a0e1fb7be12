"""A focal point that a public source reported (a year, a network role, a meeting hosted) is
evidence, not a current appointment: no surface counts it as one unless the secretariat records
a current appointment (issue 13)."""

import datetime

import pytest

from focalpoints.models import EvidenceKind, FocalPoint, ReferenceFigure
from tests.factories import FocalPointFactory, MemberStateFactory


@pytest.fixture
def reported(db):
    """Qatar hosted a meeting; Costa Rica's appointment was reported in 2012; Ghana has a
    current appointment recorded by the secretariat."""
    qatar = MemberStateFactory(
        code="QAT", name="Qatar", name_ar="قطر", regional_group="asia-pacific"
    )
    costa_rica = MemberStateFactory(
        code="CRI", name="Costa Rica", regional_group="latin-american-caribbean"
    )
    ghana = MemberStateFactory(code="GHA", name="Ghana", regional_group="african")
    for state, kind, year in [
        (qatar, EvidenceKind.HOSTED_MEETING, 2017),
        (costa_rica, EvidenceKind.APPOINTMENT_STATED, 2012),
    ]:
        FocalPoint.objects.create(
            state=state,
            evidence="Hosted a meeting" if state is qatar else "Listed among 17 countries",
            evidence_kind=kind,
            reported_year=year,
            source_name="Global Centre for the Responsibility to Protect",
            source_url="https://www.globalr2p.org/",
            verification="inferred" if state is qatar else "verified",
            reference_key=f"reference:{state.code}",
        )
    FocalPointFactory(state=ghana)
    ReferenceFigure.objects.create(
        key="sg-2017-focal-points",
        topic="focal-points",
        value=59,
        statement="59 Member States and the European Union had appointed an R2P focal point",
        statement_ar="كانت 59 دولة عضوا والاتحاد الأوروبي قد عيّنت منسقا وطنيا",
        as_of=datetime.date(2017, 8, 10),
        source_name="Secretary-General, A/71/1016–S/2017/556",
        verification="unverified",
    )
    ReferenceFigure.objects.create(
        key="gn-2021-05-11",
        topic="focal-points",
        value=61,
        statement="61 countries, the EU and the OAS have appointed an R2P focal point",
        as_of=datetime.date(2021, 5, 11),
        source_name="Steering Group of the Global Network",
    )


def test_only_the_secretariats_record_is_a_current_appointment(reported):
    assert list(FocalPoint.objects.current().values_list("state_id", flat=True)) == ["GHA"]
    assert set(FocalPoint.objects.reported().values_list("state_id", flat=True)) == {"QAT", "CRI"}
    assert not FocalPoint.objects.get(state_id="QAT").is_current


def test_the_dashboard_counts_recorded_appointments_only(client, reported):
    response = client.get("/")
    coverage = response.context["figures"]["coverage"]
    assert coverage["with_focal_point"] == 1
    assert coverage["reported_only"] == 2
    tiles = {
        t["code"]: t["has_focal_point"]
        for g in response.context["figures"]["tiles"]["groups"]
        for t in g["states"]
    }
    assert tiles == {"QAT": False, "CRI": False, "GHA": True}
    body = response.content.decode()
    assert "Public sources reported a focal point for <bdi>2</bdi> more Member States" in body


def test_the_dashboard_shows_the_reports_figure_beside_the_networks_with_its_grade(
    client, reported
):
    references = client.get("/").context["figures"]["coverage"]["references"]
    assert [(r["value"], r["verification"]) for r in references] == [
        (61, "verified"),
        (59, "unverified"),
    ]
    body = client.get("/").content.decode()
    assert "badge-unverified" in body and "<bdi>59</bdi>" in body
    client.cookies["django_language"] = "ar"
    body = client.get("/").content.decode()
    assert '<bdi lang="ar">كانت 59 دولة' in body


def test_the_states_list_and_region_do_not_count_reported_rows(client, reported):
    states = {s.code: s.has_focal_point for s in client.get("/states/").context["states"]}
    assert states == {"QAT": False, "CRI": False, "GHA": True}
    assert [s.code for s in client.get("/states/?focal_point=yes").context["states"]] == ["GHA"]


def test_the_profile_shows_the_evidence_as_it_says_and_no_current_appointment(client, reported):
    response = client.get("/states/QAT/")
    assert response.context["focal_point"] is None
    body = response.content.decode()
    assert "Hosted a Global Network meeting in 2017; appointment not stated" in body
    # The source and the date are isolated (U+2068 … U+2069) for right-to-left sentences.
    assert (
        "Seen in: \u2068Global Centre for the Responsibility to Protect\u2069, \u20682017\u2069"
        in body
    )
    assert "We know of no current R2P focal point for Qatar" in body
    body = client.get("/states/CRI/").content.decode()
    assert "Focal point reported in 2012" in body


def test_the_api_counts_recorded_appointments_only(client, reported):
    rows = client.get("/api/v1/member-states/").json()["results"]
    assert {r["code"]: r["has_focal_point"] for r in rows} == {
        "CRI": False,
        "GHA": True,
        "QAT": False,
    }
    stats = client.get("/api/v1/stats/").json()["coverage"]
    assert stats["with_focal_point"] == 1 and stats["reported_only"] == 2
    assert [(r["value"], r["verification"]) for r in stats["references"]] == [
        (61, "verified"),
        (59, "unverified"),
    ]
    appointments = client.get("/api/v1/focal-points/").json()["results"]
    by_state = {a["member_state"]: a for a in appointments}
    assert by_state["QAT"]["is_current"] is False
    assert by_state["QAT"]["evidence_kind"] == "hosted_meeting"
    assert by_state["GHA"]["is_current"] is True


def test_the_secretariat_can_record_a_current_appointment_beside_the_evidence(reported):
    FocalPointFactory(state_id="QAT", office="Ministry of Foreign Affairs")
    assert set(FocalPoint.objects.current().values_list("state_id", flat=True)) == {"GHA", "QAT"}
