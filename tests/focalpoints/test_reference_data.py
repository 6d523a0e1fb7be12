"""The sourced reference data loads completely and idempotently."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_countries import countries

from commitments.models import PreventionStep, Resolution, RiskFactor
from focalpoints import reference
from focalpoints.models import (
    FocalPoint,
    MemberState,
    NetworkMembership,
    ReferenceFigure,
    RegionalGroup,
)

pytestmark = pytest.mark.django_db
# The reference data as the previous release shipped it (columns added since left empty).
PREVIOUS = Path(__file__).parent / "previous_reference"


def table_sizes() -> dict[str, int]:
    return {
        "states": MemberState.objects.count(),
        "focal_points": FocalPoint.objects.count(),
        "memberships": NetworkMembership.objects.count(),
        "figures": ReferenceFigure.objects.count(),
        "resolutions": Resolution.objects.count(),
        "steps": PreventionStep.objects.count(),
        "risk_factors": RiskFactor.objects.count(),
    }


def test_loads_193_members_two_observers_and_the_eu():
    call_command("load_reference_data", verbosity=0)

    assert MemberState.objects.filter(kind=MemberState.Kind.MEMBER).count() == 193
    assert set(
        MemberState.objects.filter(kind=MemberState.Kind.OBSERVER).values_list("code", flat=True)
    ) == {"VAT", "PSE"}
    eu = MemberState.objects.get(code="EUU")
    assert eu.kind == MemberState.Kind.REGIONAL_ORGANISATION
    assert eu.regional_group == ""


def test_running_twice_gives_the_same_rows_and_no_duplicates():
    call_command("load_reference_data", verbosity=0)
    first = table_sizes()
    call_command("load_reference_data", verbosity=0)

    assert table_sizes() == first
    assert first["states"] == 196


def test_every_member_state_is_in_exactly_one_regional_group():
    call_command("load_reference_data", verbosity=0)

    members = MemberState.objects.un_members()
    assert not members.filter(regional_group="").exists()
    counts = {group: members.filter(regional_group=group).count() for group in RegionalGroup.values}
    assert sum(counts.values()) == 193
    assert counts["african"] == 54 and counts["eastern-european"] == 23
    assert counts["latin-american-caribbean"] == 33
    # Türkiye counts in WEOG for elections; the United States sits with WEOG as an observer.
    assert MemberState.objects.get(code="TUR").regional_group == "western-european-others"
    assert MemberState.objects.get(code="USA").regional_group_note.startswith(
        "Not formally a member"
    )


def test_every_state_code_is_the_iso_3166_alpha3_of_its_name():
    """Our committed codes agree with django-countries (the maintained ISO 3166 mapping)."""
    with open(reference.REFERENCE_DIR / "states.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    aliases = {"KOR": "KR", "PRK": "KP", "MDA": "MD", "TZA": "TZ", "PSE": "PS", "TUR": "TR"}
    for row in rows:
        if row["code"] == "EUU":
            continue
        alpha2 = aliases.get(row["code"]) or countries.by_name(row["name"])
        assert alpha2, row["name"]
        assert countries.alpha3(alpha2) == row["code"], row["name"]


def test_focal_point_rows_are_evidence_never_current_appointments():
    call_command("load_reference_data", verbosity=0)

    # What the research found is evidence of its time, not a current appointment.
    assert not FocalPoint.objects.current().exists()
    rows = FocalPoint.objects.reported()
    denmark = rows.get(state_id="DNK")
    assert (denmark.evidence_kind, denmark.reported_year, denmark.verification) == (
        "network_role",
        2021,
        "verified",
    )
    qatar = rows.get(state_id="QAT")
    assert (qatar.evidence_kind, qatar.verification) == ("hosted_meeting", "inferred")
    assert qatar.shown_as == "hosted a Global Network meeting in 2017; appointment not stated"
    assert rows.get(state_id="CRI").shown_as == "focal point reported in 2012"
    assert rows.get(state_id="CIV").evidence_kind == "intention_only"
    assert rows.get(state_id="EUU").provenance == (
        "Seen in: \u2068Global Centre for the Responsibility to Protect\u2069, "
        "\u2068May 11, 2021\u2069"
    )
    # Unknown is empty, never guessed: no appointment dates or names in the research.
    assert not rows.exclude(appointed_on=None).exists()
    assert not rows.exclude(person_name="").exists()
    # The network's own count and the 2017 report's (graded unverified) are stored beside.
    figure = ReferenceFigure.objects.get(key="gn-2021-05-11")
    assert figure.value == 61 and figure.source_url
    report = ReferenceFigure.objects.get(key="sg-2017-focal-points")
    assert (report.value, report.verification) == (59, "unverified")


def test_corrected_dates_and_symbols_and_unverified_symbols_left_out():
    call_command("load_reference_data", verbosity=0)

    assert Resolution.objects.get(symbol="A/RES/63/308").adopted_on == datetime.date(2009, 9, 14)
    resolution = Resolution.objects.get(symbol="A/HRC/RES/37/1")
    assert resolution.adopted_on == datetime.date(2018, 3, 5)
    assert resolution.states.get().code == "SYR"
    assert not Resolution.objects.filter(symbol="A/HRC/37/L.1").exists()
    assert not Resolution.objects.filter(symbol__contains="?").exists()
    assert Resolution.objects.get(symbol="S/RES/2085 (2012)").states.get().code == "MLI"
    step = PreventionStep.objects.get(code="N1")
    assert step.source_document.startswith("A/67/929")
    assert (step.in_2017_report, step.para_2017, step.basis_stated) == ("not-seen", "", "")


def test_update_applies_the_corrections_to_a_database_loaded_with_the_previous_data(
    monkeypatch,
):
    real = reference.REFERENCE_DIR
    monkeypatch.setattr(reference, "REFERENCE_DIR", PREVIOUS)
    call_command("load_reference_data", verbosity=0)
    assert MemberState.objects.get(code="CZE").name == "Czech Republic"
    old_symbol = Resolution.objects.get(symbol="A/HRC/37/L.1")
    monkeypatch.setattr(reference, "REFERENCE_DIR", real)

    out = io.StringIO()
    call_command("load_reference_data", "--update", stdout=out)
    text = out.getvalue()
    czechia = MemberState.objects.get(code="CZE")
    assert (czechia.name, czechia.name_fr) == ("Czechia", "Tchéquie")
    assert "states.csv line" in text and "(CZE): name: 'Czech Republic' -> 'Czechia'" in text
    assert MemberState.objects.get(code="PSE").observer_since == datetime.date(2012, 11, 29)
    renamed = Resolution.objects.get(pk=old_symbol.pk)  # the same row, corrected
    assert (renamed.symbol, renamed.adopted_on) == ("A/HRC/RES/37/1", datetime.date(2018, 3, 5))
    assert "symbol: 'A/HRC/37/L.1' -> 'A/HRC/RES/37/1'" in text
    assert FocalPoint.objects.get(state_id="QAT").evidence_kind == "hosted_meeting"
    assert "(QAT): evidence:" in text
    assert Resolution.objects.count() == 39 and PreventionStep.objects.count() == 24

    again = io.StringIO()
    call_command("load_reference_data", "--update", stdout=again)
    assert "changed:" not in again.getvalue()
    assert " 0 created, 0 updated" in again.getvalue()


def test_curated_rows_survive_a_reload_unless_update_is_asked():
    call_command("load_reference_data", verbosity=0)
    MemberState.objects.filter(code="GHA").update(official_name="Curated by the secretariat")

    call_command("load_reference_data", verbosity=0)
    assert MemberState.objects.get(code="GHA").official_name == "Curated by the secretariat"

    call_command("load_reference_data", "--update", verbosity=0)
    assert MemberState.objects.get(code="GHA").official_name == "Republic of Ghana"


def test_a_bad_row_names_file_line_and_field_and_loads_nothing(tmp_path, monkeypatch):
    source = reference.REFERENCE_DIR / "states.csv"
    broken = tmp_path / "states.csv"
    text = source.read_text(encoding="utf-8").replace("1957-03-08", "08/03/1957")
    broken.write_text(text, encoding="utf-8")
    for name in reference.REFERENCE_DIR.iterdir():
        if name.name != "states.csv" and name.suffix == ".csv":
            (tmp_path / name.name).write_text(name.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(reference, "REFERENCE_DIR", tmp_path)

    with pytest.raises(CommandError, match=r"states.csv line \d+ \(GHA\).*YYYY-MM-DD"):
        call_command("load_reference_data", verbosity=0)
    assert MemberState.objects.count() == 0
