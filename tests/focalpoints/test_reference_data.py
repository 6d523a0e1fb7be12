"""The sourced reference data loads completely and idempotently."""

import csv

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
    assert MemberState.objects.get(code="USA").regional_group_note.startswith("Not a member")


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


def test_focal_points_are_partial_and_carry_their_evidence():
    call_command("load_reference_data", verbosity=0)

    current = FocalPoint.objects.current()
    assert current.filter(state_id="DNK", verification="verified").exists()
    assert current.filter(state_id="QAT", verification="inferred").exists()  # hosted a meeting
    assert current.get(state_id="EUU").source_url.startswith("https://")
    # Unknown is empty, never guessed: no appointment dates or names in the research.
    assert not current.exclude(appointed_on=None).exists()
    assert not current.exclude(person_name="").exists()
    # The network's own count is stored beside our rows.
    figure = ReferenceFigure.objects.get(key="gn-2021-05-11")
    assert figure.value == 61 and figure.source_url


def test_unverified_dates_stay_empty_and_unverified_symbols_are_left_out():
    call_command("load_reference_data", verbosity=0)

    assert Resolution.objects.get(symbol="A/RES/63/308").adopted_on is None
    assert Resolution.objects.get(symbol="S/RES/1970 (2011)").verification == "unverified"
    assert not Resolution.objects.filter(symbol__contains="?").exists()
    assert Resolution.objects.get(symbol="S/RES/2085 (2012)").states.get().code == "MLI"


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
