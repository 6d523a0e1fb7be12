"""The language of user text (issue 13): commitments and progress updates record it (default: the
author's), pages mark the text with lang and dir, the API exposes it; a focal point may add a
translation of an update's narrative later without changing the original."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commitments import services
from commitments.models import AppendOnlyError, ProgressUpdate, Status, UpdateTranslation
from tests.factories import CommitmentFactory, PreventionStepFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arabic_author(focal_point_a):
    focal_point_a.preferred_language = "ar"
    focal_point_a.save()
    return focal_point_a


def _publish(user, commitment, **extra):
    return services.progress_update_create(
        user=user,
        commitment=commitment,
        reported_on=datetime.date(2026, 1, 15),
        status=Status.LIMITED,
        narrative="بدأ العمل على الخطة الوطنية.",
        **extra,
    )


def test_an_update_is_recorded_in_its_authors_language_unless_told(state_a, arabic_author):
    commitment = CommitmentFactory(state=state_a)
    assert _publish(arabic_author, commitment).language == "ar"
    assert _publish(arabic_author, commitment, language="fr").language == "fr"


def test_a_commitment_is_recorded_in_its_authors_language(state_a, arabic_author):
    commitment = services.commitment_create(
        user=arabic_author,
        state=state_a,
        step=PreventionStepFactory(),
        title="خطة عمل وطنية",
        description="ستعتمد الدولة خطة عمل وطنية.",
        source_kind="ga-dialogue",
        source_description="بيان أمام الجمعية العامة",
        pledged_on=datetime.date(2025, 9, 1),
    )
    assert commitment.language == "ar"


def test_the_public_page_marks_the_text_with_its_language_and_direction(
    client, state_a, arabic_author
):
    commitment = CommitmentFactory(state=state_a)
    update = _publish(arabic_author, commitment)
    body = client.get(commitment.get_absolute_url()).content.decode()
    assert (
        '<div class="prose" lang="ar" dir="rtl"><p>بدأ العمل على الخطة الوطنية.</p></div>' in body
    )
    assert f'<div class="prose" lang="en" dir="ltr"><p>{commitment.description}</p></div>' in body
    data = client.get(f"/api/v1/progress-updates/{update.pk}/").json()
    assert data["language"] == "ar" and data["translations"] == []


def test_the_workspace_form_offers_the_authors_language_and_keeps_the_choice(
    client, state_a, arabic_author
):
    commitment = CommitmentFactory(state=state_a)
    client.force_login(arabic_author)
    url = reverse("workspace:update_create", kwargs={"pk": commitment.pk})
    form = client.get(url).context["form"]
    assert form["language"].value() == "ar"
    response = client.post(
        url,
        {
            "reported_on": "2026-01-15",
            "status": "limited",
            "narrative": "Le plan a été rédigé.",
            "language": "fr",
            "links-TOTAL_FORMS": "0",
            "links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    client.post(response["Location"], {"action": "publish"})
    assert ProgressUpdate.objects.get(commitment=commitment).language == "fr"


def test_the_api_takes_the_language_of_a_posted_update(client, state_a, arabic_author):
    from focalpoints.tokens import api_token_issue

    commitment = CommitmentFactory(state=state_a)
    _token, raw = api_token_issue(user=arabic_author, name="ministry")
    response = client.post(
        f"/api/v1/commitments/{commitment.pk}/progress-updates/",
        {
            "reported_on": "2026-01-15",
            "status": "limited",
            "narrative": "Avance.",
            "language": "es",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["language"] == "es"


def test_a_translation_is_added_beside_the_unchanged_original(client, state_a, arabic_author):
    commitment = CommitmentFactory(state=state_a)
    update = _publish(arabic_author, commitment)
    client.force_login(arabic_author)
    url = reverse(
        "workspace:update_translate", kwargs={"pk": commitment.pk, "update_pk": update.pk}
    )
    form = client.get(url).context["form"]
    assert "ar" not in dict(form.fields["language"].choices)  # the original's language
    response = client.post(url, {"language": "en", "narrative": "Work on the national plan began."})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "بدأ العمل على الخطة الوطنية." and update.language == "ar"
    translation = UpdateTranslation.objects.get(update=update)
    assert translation.language == "en"
    with pytest.raises(AppendOnlyError):
        translation.delete()
    client.logout()
    body = client.get(commitment.get_absolute_url()).content.decode()
    assert 'lang="en" dir="ltr"><p>Work on the national plan began.</p>' in body
    assert "Translation into English" in body
    api = client.get(f"/api/v1/progress-updates/{update.pk}/").json()
    assert api["translations"][0]["language"] == "en"
    assert "author" not in api["translations"][0]


def test_one_translation_per_language_and_never_the_originals(state_a, arabic_author):
    update = _publish(arabic_author, CommitmentFactory(state=state_a))
    with pytest.raises(ValidationError):
        services.progress_update_translate(
            user=arabic_author, update=update, language="ar", narrative="نفس النص"
        )
    services.progress_update_translate(
        user=arabic_author, update=update, language="fr", narrative="Le travail a commencé."
    )
    with pytest.raises(ValidationError):
        services.progress_update_translate(
            user=arabic_author, update=update, language="fr", narrative="Encore."
        )


def test_another_states_focal_point_cannot_translate(state_a, state_b, arabic_author):
    update = _publish(arabic_author, CommitmentFactory(state=state_a))
    other = UserFactory(username="fp_b")
    from tests.factories import StateAccessFactory

    StateAccessFactory(user=other, state=state_b)
    with pytest.raises(PermissionDenied):
        services.progress_update_translate(
            user=other, update=update, language="en", narrative="Hijacked."
        )


def test_another_states_focal_point_gets_403_on_the_translation_page(
    client, state_a, state_b, arabic_author
):
    commitment = CommitmentFactory(state=state_a)
    update = _publish(arabic_author, commitment)
    other = UserFactory(username="fp_b")
    from tests.factories import StateAccessFactory

    StateAccessFactory(user=other, state=state_b)
    client.force_login(other)
    url = reverse(
        "workspace:update_translate", kwargs={"pk": commitment.pk, "update_pk": update.pk}
    )
    assert client.get(url).status_code == 403
