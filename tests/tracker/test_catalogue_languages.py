"""The catalogue in the reader's language (issue 13): translated steps, channels, risk factors,
networks and headline statements, the English marked where a translation is missing."""

import csv
import io

import pytest
from django.core.management import call_command

from commitments.models import PreventionStep, RiskFactor, ScrutinyChannel
from focalpoints.models import Network, ReferenceFigure
from tests.factories import (
    CommitmentFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ScrutinyChannelFactory,
    UserFactory,
)


@pytest.fixture
def catalogue(db):
    channel = ScrutinyChannelFactory(
        code="upr", name="Universal Periodic Review", name_ar="الاستعراض الدوري الشامل"
    )
    translated = PreventionStepFactory(
        code="N1",
        title="Appoint a national R2P focal point",
        title_fr="Nommer un coordonnateur national",
        title_ar="تعيين منسق وطني للمسؤولية عن الحماية",
        description="Appoint and empower a senior focal point.",
        description_ar="تعيين منسق وطني رفيع المستوى وتمكينه.",
    )
    translated.channels.set([channel])
    untranslated = PreventionStepFactory(code="N2", title="Assess national atrocity risk")
    state = MemberStateFactory(code="GHA", name="Ghana", name_ar="غانا")
    CommitmentFactory(state=state, step=translated, title="Pledge")
    return {"translated": translated, "untranslated": untranslated}


def _get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url)


def test_the_step_page_is_in_the_readers_language(client, catalogue):
    body = _get(client, "/steps/N1/", "ar").content.decode()
    assert "تعيين منسق وطني للمسؤولية عن الحماية" in body
    assert "تعيين منسق وطني رفيع المستوى وتمكينه." in body
    assert "الاستعراض الدوري الشامل" in body
    assert "Appoint a national R2P focal point" not in body
    assert "not-translated" not in body
    assert "the project's own translations" not in body  # the note is translated too


def test_an_untranslated_step_shows_the_english_marked(client, catalogue):
    body = _get(client, "/steps/N2/", "fr").content.decode()
    assert '<span lang="en" dir="ltr">Assess national atrocity risk</span>' in body
    assert 'class="not-translated"' in body
    body = _get(client, "/steps/", "fr").content.decode()
    assert "Nommer un coordonnateur national" in body
    assert body.count('class="not-translated"') == 1  # N2 only
    english = _get(client, "/steps/", "en").content.decode()
    assert "not-translated" not in english


def test_the_steps_csv_has_the_title_in_the_request_language_and_in_english(client, catalogue):
    response = _get(client, "/steps/?format=csv", "ar")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["N1"]["title"] == "تعيين منسق وطني للمسؤولية عن الحماية"
    assert rows["N1"]["title_en"] == "Appoint a national R2P focal point"
    assert rows["N2"]["title"] == "Assess national atrocity risk"  # falls back to English


def test_the_api_carries_every_language_of_a_step(client, catalogue):
    step = client.get("/api/v1/prevention-steps/").json()["results"]
    n1 = next(s for s in step if s["code"] == "N1")
    assert n1["title"] == "Appoint a national R2P focal point"
    assert n1["title_ar"] == "تعيين منسق وطني للمسؤولية عن الحماية"
    assert n1["title_es"] == ""  # not yet translated: empty, never guessed


def test_the_reference_data_loads_the_translations():
    call_command("load_reference_data", verbosity=0)
    step = PreventionStep.objects.get(code="N1")
    assert step.title_ar and step.title_fr and step.title_es and step.description_ar
    assert not PreventionStep.objects.filter(title_ar="").exists()
    assert not ScrutinyChannel.objects.filter(name_fr="").exists()
    assert not RiskFactor.objects.filter(name_es="").exists()
    assert not Network.objects.filter(description_ar="").exists()
    assert not ReferenceFigure.objects.filter(statement_ar="").exists()
    assert ScrutinyChannel.objects.get(code="upr").name_fr == "Examen périodique universel"


pytestmark = pytest.mark.django_db


def test_the_secretariat_edits_translations_in_the_admin(client, catalogue):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    step = catalogue["untranslated"]
    page = client.get(f"/admin/commitments/preventionstep/{step.pk}/change/")
    body = page.content.decode()
    for name in ["title_fr", "title_es", "title_ar", "description_ar"]:
        assert f'name="{name}"' in body
