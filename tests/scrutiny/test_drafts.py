"""Drafts of independent assessments (D-10-60): saved, edited, submitted or discarded by the
members of their organisation only; invisible to everyone else (other organisations, the
moderators, the State, the public); refused by moderation; listed in the assessor's workspace
with a pinned query count."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments import services
from commitments.models import (
    AppendOnlyError,
    Assessment,
    AssessmentEvidence,
    Moderation,
    Status,
)
from tests.factories import (
    AssessmentFactory,
    CommitmentFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)
from tests.scrutiny.test_workspace import ROLES, as_role, form_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft_a(organisation_a, commitment_a):
    return AssessmentFactory(
        commitment=commitment_a,
        organisation=organisation_a,
        moderation=Moderation.DRAFT,
        narrative="DRAFT-TEXT: not ready yet",
    )


def fields(**overrides):
    values = {
        "status": Status.SUBSTANTIAL,
        "period_start": datetime.date(2024, 6, 1),
        "period_end": datetime.date.today() - datetime.timedelta(days=3),
        "narrative": "Edited findings.",
        "channel": "research",
    }
    values.update(overrides)
    return values


# --- services ---------------------------------------------------------------------------------


def test_a_draft_is_saved_by_the_submit_service_with_draft_true(assessor_a, organisation_a):
    commitment = CommitmentFactory()
    draft = services.assessment_submit(
        user=assessor_a,
        organisation=organisation_a,
        commitment=commitment,
        draft=True,
        links=[services.EvidenceLink("https://example.org/a", "A")],
        **fields(),
    )
    assert draft.moderation == Moderation.DRAFT
    assert draft.evidence.count() == 1


def test_edit_then_submit_moves_a_draft_to_submitted_and_fixes_it(
    assessor_a, draft_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    before = draft_a.created_at
    services.assessment_draft_update(
        user=assessor_a,
        assessment=draft_a,
        links=[services.EvidenceLink("https://example.org/b", "B")],
        files=[SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")],
        **fields(),
    )
    draft_a.refresh_from_db()
    assert draft_a.narrative == "Edited findings." and draft_a.status == Status.SUBSTANTIAL
    assert draft_a.evidence.count() == 2
    submitted = services.assessment_draft_submit(user=assessor_a, assessment=draft_a)
    submitted.refresh_from_db()
    assert submitted.moderation == Moderation.SUBMITTED
    assert submitted.created_at >= before  # its submission time
    # From then on it is fixed, as any submitted assessment.
    with pytest.raises(ValidationError):
        services.assessment_draft_update(user=assessor_a, assessment=submitted, **fields())
    with pytest.raises(ValidationError):
        services.assessment_draft_discard(user=assessor_a, assessment=submitted)
    submitted.narrative = "changed"
    with pytest.raises(AppendOnlyError):
        submitted.save()


def test_removing_evidence_from_a_draft_deletes_the_stored_document(
    assessor_a, draft_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_draft_update(
            user=assessor_a,
            assessment=draft_a,
            files=[SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")],
            **fields(),
        )
    document = draft_a.evidence.get()
    path = document.file.path
    assert (tmp_path / document.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_draft_update(
            user=assessor_a, assessment=draft_a, remove_evidence=[document.pk], **fields()
        )
    assert not draft_a.evidence.exists()
    assert not (tmp_path / document.file.name).exists(), path


def test_discarding_a_draft_deletes_it_and_its_documents(
    assessor_a, draft_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    services.assessment_draft_update(
        user=assessor_a,
        assessment=draft_a,
        files=[SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")],
        links=[services.EvidenceLink("https://example.org/c", "C")],
        **fields(),
    )
    name = draft_a.evidence.get(kind="file").file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_draft_discard(user=assessor_a, assessment=draft_a)
    assert not Assessment.objects.filter(pk=draft_a.pk).exists()
    assert not AssessmentEvidence.objects.filter(assessment_id=draft_a.pk).exists()
    assert not (tmp_path / name).exists()


def test_a_submitted_or_published_assessment_is_never_discarded(assessor_a, organisation_a):
    published = AssessmentFactory(organisation=organisation_a)
    with pytest.raises(ValidationError):
        services.assessment_draft_discard(user=assessor_a, assessment=published)
    assert Assessment.objects.discard_draft(published.pk) == 0
    assert Assessment.objects.filter(pk=published.pk).exists()


@pytest.mark.parametrize("action", ["publish", "reject"])
@pytest.mark.parametrize("moderator", ["secretariat", "secretariat_org_member"])
def test_moderation_refuses_a_draft(request, action, moderator, draft_a):
    user = request.getfixturevalue(moderator)
    with pytest.raises(ValidationError):
        if action == "publish":
            services.assessment_publish(user=user, assessment=draft_a)
        else:
            services.assessment_reject(user=user, assessment=draft_a, reason="No.")
    draft_a.refresh_from_db()
    assert draft_a.moderation == Moderation.DRAFT


@pytest.mark.parametrize(
    "role", ["assessor_national_b", "focal_point_a", "secretariat", "secretariat_org_member"]
)
def test_only_its_organisations_members_may_work_on_a_draft_service(request, role, draft_a):
    user = request.getfixturevalue(role)
    for write in (
        lambda: services.assessment_draft_update(user=user, assessment=draft_a, **fields()),
        lambda: services.assessment_draft_submit(user=user, assessment=draft_a),
        lambda: services.assessment_draft_discard(user=user, assessment=draft_a),
    ):
        with pytest.raises(PermissionDenied):
            write()
    draft_a.refresh_from_db()
    assert draft_a.moderation == Moderation.DRAFT and draft_a.narrative.startswith("DRAFT-TEXT")


def test_a_correction_may_be_drafted_and_does_not_block_until_submitted(
    assessor_a, organisation_a, commitment_a
):
    published = AssessmentFactory(commitment=commitment_a, organisation=organisation_a)
    draft = services.assessment_correct(
        user=assessor_a, corrects=published, draft=True, **fields(narrative="Draft correction")
    )
    assert draft.is_draft and draft.corrects_id == published.pk
    # A second draft correction is allowed; the first one submitted wins the one live slot.
    other = services.assessment_correct(
        user=assessor_a, corrects=published, draft=True, **fields(narrative="Second thoughts")
    )
    services.assessment_draft_submit(user=assessor_a, assessment=other)
    with pytest.raises(ValidationError):
        services.assessment_draft_submit(user=assessor_a, assessment=draft)


# --- web: the permission matrix -----------------------------------------------------------------

# Who may see (GET the draft's page or its edit page) and who may write (edit / submit / discard).
DRAFT_ACCESS = {
    "anonymous": "login",
    "assessor_a": "ok",
    "assessor_pending": "refused",  # another organisation
    "assessor_national_b": "refused",
    "focal_point_a": "refused",
    "delegate_a": "refused",
    "secretariat": "refused",  # moderators see submitted assessments, never drafts
    "secretariat_org_member": "refused",
}


def outcome(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return "ok" if response.status_code in (200, 302) else "refused"


@pytest.mark.parametrize("role", ROLES)
def test_view_a_draft(as_role, role, draft_a):  # noqa: F811
    client = as_role(role)
    for name in ("workspace:assessment", "workspace:assessment_draft"):
        response = client.get(reverse(name, kwargs={"pk": draft_a.pk}))
        assert outcome(response) == DRAFT_ACCESS[role], name
        assert (b"DRAFT-TEXT" in response.content) is (DRAFT_ACCESS[role] == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_edit_a_draft(as_role, role, draft_a, organisation_a):  # noqa: F811
    client = as_role(role)
    response = client.post(
        reverse("workspace:assessment_draft", kwargs={"pk": draft_a.pk}),
        form_data(organisation=organisation_a.pk, narrative="EDITED", save_draft="1"),
    )
    assert outcome(response) == DRAFT_ACCESS[role]
    draft_a.refresh_from_db()
    assert (draft_a.narrative == "EDITED") is (DRAFT_ACCESS[role] == "ok")
    assert draft_a.moderation == Moderation.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_submit_a_draft(as_role, role, draft_a):  # noqa: F811
    client = as_role(role)
    response = client.post(reverse("workspace:assessment_draft_submit", kwargs={"pk": draft_a.pk}))
    assert outcome(response) == DRAFT_ACCESS[role]
    draft_a.refresh_from_db()
    expected = Moderation.SUBMITTED if DRAFT_ACCESS[role] == "ok" else Moderation.DRAFT
    assert draft_a.moderation == expected


@pytest.mark.parametrize("role", ROLES)
def test_discard_a_draft(as_role, role, draft_a):  # noqa: F811
    client = as_role(role)
    response = client.post(reverse("workspace:assessment_draft_discard", kwargs={"pk": draft_a.pk}))
    assert outcome(response) == DRAFT_ACCESS[role]
    assert Assessment.objects.filter(pk=draft_a.pk).exists() is (DRAFT_ACCESS[role] != "ok")


def test_save_as_draft_from_the_assessment_form(client, assessor_a, organisation_a, commitment_a):
    client.force_login(assessor_a)
    response = client.post(
        reverse("workspace:assessment_create", kwargs={"pk": commitment_a.pk}),
        form_data(organisation=organisation_a.pk, save_draft="1"),
    )
    draft = Assessment.objects.get()
    assert draft.moderation == Moderation.DRAFT
    assert response["Location"] == reverse("workspace:assessment_draft", kwargs={"pk": draft.pk})
    assert draft.evidence.count() == 1


def test_the_edit_page_submits_with_its_changes(client, assessor_a, organisation_a, draft_a):
    AssessmentEvidence.objects.create(
        assessment=draft_a, kind="link", title="Old link", url="https://example.org/old"
    )
    old = draft_a.evidence.get()
    client.force_login(assessor_a)
    page = client.get(reverse("workspace:assessment_draft", kwargs={"pk": draft_a.pk}))
    assert b"Save draft" in page.content and b"Old link" in page.content
    response = client.post(
        reverse("workspace:assessment_draft", kwargs={"pk": draft_a.pk}),
        form_data(organisation=organisation_a.pk, narrative="Final text", remove_evidence=old.pk),
    )
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.moderation == Moderation.SUBMITTED and draft_a.narrative == "Final text"
    assert [e.url for e in draft_a.evidence.all()] == ["https://example.org/report.pdf"]


def test_the_edit_page_shows_errors_and_keeps_the_draft(
    client, assessor_a, organisation_a, draft_a
):
    client.force_login(assessor_a)
    response = client.post(
        reverse("workspace:assessment_draft", kwargs={"pk": draft_a.pk}),
        form_data(organisation=organisation_a.pk, period_end="2999-01-01"),
    )
    assert response.status_code == 200
    assert "period_end" in response.context["form"].errors
    draft_a.refresh_from_db()
    assert draft_a.moderation == Moderation.DRAFT


def test_the_queue_and_its_counts_leave_drafts_out(client, secretariat, draft_a):
    client.force_login(secretariat)
    response = client.get(reverse("workspace:moderation"))
    assert response.context["queue"] == []
    assert b"DRAFT-TEXT" not in response.content
    admin = client.get("/admin/commitments/assessment/")
    assert admin.status_code == 200 and admin.context["cl"].result_count == 0
    assert client.get(f"/admin/commitments/assessment/{draft_a.pk}/change/").status_code == 302


def test_a_drafts_document_is_served_to_its_organisation_only(
    client, assessor_a, secretariat, draft_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    document = AssessmentEvidence.objects.create(
        assessment=draft_a,
        kind="file",
        title="Report",
        file=SimpleUploadedFile("r.pdf", PDF),
        content_type="application/pdf",
        size_bytes=len(PDF),
    )
    url = reverse("workspace:assessment_document", kwargs={"pk": document.pk})
    assert client.get(document.get_absolute_url()).status_code == 404  # the public address
    client.force_login(secretariat)
    assert client.get(url).status_code == 403
    client.force_login(assessor_a)
    assert client.get(url).status_code == 200


def test_the_workspace_lists_drafts_in_their_own_section(client, assessor_a, draft_a):
    client.force_login(assessor_a)
    response = client.get(reverse("workspace:assessments"))
    assert [a.pk for a in response.context["drafts"]] == [draft_a.pk]
    assert response.context["submitted"] == []
    html = response.content.decode()
    assert reverse("workspace:assessment_draft", kwargs={"pk": draft_a.pk}) in html
    assert reverse("workspace:assessment_draft_submit", kwargs={"pk": draft_a.pk}) in html
    assert reverse("workspace:assessment_draft_discard", kwargs={"pk": draft_a.pk}) in html


def test_another_organisations_drafts_are_not_listed(client, assessor_pending, draft_a):
    client.force_login(assessor_pending)
    response = client.get(reverse("workspace:assessments"))
    assert response.context["drafts"] == []
    assert b"DRAFT-TEXT" not in response.content


def test_the_workspace_query_count_is_pinned(
    client, assessor_a, organisation_a, django_assert_max_num_queries
):
    def fill(n):
        for moderation in (Moderation.DRAFT, Moderation.SUBMITTED, Moderation.REJECTED):
            AssessmentFactory.create_batch(
                n,
                organisation=organisation_a,
                moderation=moderation,
                rejection_reason="No source." if moderation == Moderation.REJECTED else "",
            )
        AssessmentFactory.create_batch(n, organisation=organisation_a)

    client.force_login(assessor_a)
    fill(1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("workspace:assessments")).status_code == 200
    fill(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("workspace:assessments"))
    assert len(response.context["drafts"]) == 9


def test_a_member_of_two_organisations_sees_both_drafts(client, organisation_a, draft_a):
    other = OrganisationFactory(name="Second Watch")
    user = UserFactory(username="both")
    OrganisationMembershipFactory(user=user, organisation=organisation_a)
    OrganisationMembershipFactory(user=user, organisation=other)
    second = AssessmentFactory(organisation=other, moderation=Moderation.DRAFT)
    client.force_login(user)
    response = client.get(reverse("workspace:assessments"))
    assert {a.pk for a in response.context["drafts"]} == {draft_a.pk, second.pk}
