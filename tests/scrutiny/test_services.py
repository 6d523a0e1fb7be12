"""The services of independent scrutiny: who may submit, correct, moderate, dispute and reply,
what each writes (ledger, derived status, data versions), and what is refused."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import ledger, services
from commitments.models import (
    AppendOnlyError,
    Assessment,
    AssessmentChannel,
    AssessmentReply,
    Commitment,
    LedgerEntry,
    Moderation,
    Status,
)
from focalpoints.models import Organisation
from tests.conftest import organisation_of
from tests.factories import AssessmentFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def ledger_holds() -> bool:
    """The chain holds, and every published assessment and reply equals its last entry (the
    factories' commitments have no entry of their own: not what these tests check)."""
    problems = [*ledger.verify_chain(), *ledger.verify_rows()]
    return not [p for p in problems if "assessment" in p.message or "reply" in p.message] and not [
        p for p in problems if p.sequence is not None
    ]


def submit(user, commitment, organisation=None, **overrides):
    fields = {
        "status": Status.LIMITED,
        "period_start": datetime.date(2024, 6, 1),
        "period_end": TODAY - datetime.timedelta(days=5),
        "narrative": "Our findings from the shadow report.",
        "channel": AssessmentChannel.UPR_SHADOW_REPORT,
    }
    fields.update(overrides)
    return services.assessment_submit(
        user=user,
        organisation=organisation or organisation_of(user),
        commitment=commitment,
        **fields,
    )


def test_a_member_submits_and_nothing_is_public_until_published(assessor_a, commitment_a):
    assessment = submit(
        assessor_a,
        commitment_a,
        links=[services.EvidenceLink("https://example.org/shadow-report", "Shadow report")],
    )
    assert assessment.moderation == Moderation.SUBMITTED
    assert assessment.evidence.count() == 1
    commitment_a.refresh_from_db()
    assert commitment_a.independent_status == ""
    assert not LedgerEntry.objects.filter(subject_type="assessment").exists()


def test_publishing_derives_the_independent_status_and_appends_to_the_ledger(
    assessor_a, secretariat, commitment_a
):
    ProgressUpdateFactory(commitment=commitment_a, status=Status.COMPLETE)
    assessment = submit(assessor_a, commitment_a, status=Status.LIMITED)
    services.assessment_publish(user=secretariat, assessment=assessment)
    commitment_a.refresh_from_db()
    assert commitment_a.independent_status == Status.LIMITED
    assert commitment_a.latest_assessment_id == assessment.pk
    assert commitment_a.is_in_disagreement
    assert Commitment.objects.in_disagreement().filter(pk=commitment_a.pk).exists()
    entry = LedgerEntry.objects.get(subject_type="assessment", subject_id=assessment.pk)
    assert entry.kind == LedgerEntry.Kind.ASSESSMENT_PUBLISHED
    assert entry.state == commitment_a.state_id
    assert ledger_holds()


def test_the_government_changing_its_status_moves_the_flag_without_a_refresh(
    assessor_a, secretariat, commitment_a, focal_point_a
):
    assessment = submit(assessor_a, commitment_a, status=Status.LIMITED)
    services.assessment_publish(user=secretariat, assessment=assessment)
    services.progress_update_create(
        user=focal_point_a,
        commitment=commitment_a,
        reported_on=TODAY,
        status=Status.COMPLETE,
        narrative="Done.",
    )
    assert Commitment.objects.in_disagreement().filter(pk=commitment_a.pk).exists()
    services.progress_update_create(
        user=focal_point_a,
        commitment=commitment_a,
        reported_on=TODAY,
        status=Status.LIMITED,
        narrative="Actually limited.",
    )
    assert not Commitment.objects.in_disagreement().filter(pk=commitment_a.pk).exists()


def test_an_unapproved_organisation_may_submit_but_not_be_published(
    assessor_pending, secretariat, commitment_a
):
    assessment = submit(assessor_pending, commitment_a)
    with pytest.raises(ValidationError, match="not approved yet"):
        services.assessment_publish(user=secretariat, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.moderation == Moderation.SUBMITTED
    organisation = assessment.organisation
    from focalpoints.services import organisation_approve

    organisation_approve(user=secretariat, organisation=organisation)
    services.assessment_publish(user=secretariat, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).is_published


def test_a_national_organisation_assesses_only_its_own_country(
    assessor_national_b, commitment_a, commitment_b
):
    with pytest.raises(PermissionDenied):
        submit(assessor_national_b, commitment_a)
    assert submit(assessor_national_b, commitment_b).pk


def test_nobody_assesses_as_another_organisation(assessor_a, assessor_pending, commitment_a):
    with pytest.raises(PermissionDenied, match="not a member"):
        submit(assessor_a, commitment_a, organisation=organisation_of(assessor_pending))


def test_a_focal_point_is_not_an_assessor(focal_point_a, organisation_a, commitment_a):
    with pytest.raises(PermissionDenied):
        submit(focal_point_a, commitment_a, organisation=organisation_a)


def test_validation_errors_name_the_field(assessor_a, commitment_a):
    with pytest.raises(ValidationError) as caught:
        submit(
            assessor_a,
            commitment_a,
            period_start=TODAY,
            period_end=TODAY + datetime.timedelta(days=3),
            narrative="  ",
        )
    assert set(caught.value.message_dict) == {"period_end", "narrative"}
    assert not Assessment.objects.exists()


def test_rejection_needs_a_reason_and_is_final(assessor_a, secretariat, commitment_a):
    assessment = submit(assessor_a, commitment_a)
    with pytest.raises(ValidationError):
        services.assessment_reject(user=secretariat, assessment=assessment, reason=" ")
    services.assessment_reject(user=secretariat, assessment=assessment, reason="No evidence.")
    with pytest.raises(ValidationError):
        services.assessment_publish(user=secretariat, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.rejection_reason == "No evidence."
    assert not LedgerEntry.objects.filter(subject_type="assessment").exists()


@pytest.mark.parametrize(
    "persona", ["assessor_a", "focal_point_a", "delegate_a", "assessor_pending"]
)
def test_only_moderators_moderate(request, persona, assessor_a, commitment_a):
    assessment = submit(assessor_a, commitment_a)
    user = request.getfixturevalue(persona)
    for action in (services.assessment_publish, services.assessment_reject):
        with pytest.raises(PermissionDenied):
            kwargs = {"reason": "x"} if action is services.assessment_reject else {}
            action(user=user, assessment=assessment, **kwargs)


def test_a_member_of_a_secretariat_organisation_moderates(
    secretariat_org_member, assessor_a, commitment_a
):
    assessment = submit(assessor_a, commitment_a)
    services.assessment_publish(user=secretariat_org_member, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).is_published


def test_a_secretariat_organisation_that_is_not_approved_does_not_moderate(
    secretariat_org_member, assessor_a, commitment_a
):
    Organisation.objects.filter(kind=Organisation.Kind.SECRETARIAT).update(
        status=Organisation.Status.PENDING, approved_at=None
    )
    assessment = submit(assessor_a, commitment_a)
    with pytest.raises(PermissionDenied):
        services.assessment_publish(user=secretariat_org_member, assessment=assessment)


def test_a_published_assessment_is_never_unpublished_and_content_never_edited(
    assessor_a, secretariat, commitment_a
):
    assessment = submit(assessor_a, commitment_a)
    services.assessment_publish(user=secretariat, assessment=assessment)
    with pytest.raises(ValidationError):
        services.assessment_reject(user=secretariat, assessment=assessment, reason="Changed mind")
    assessment.narrative = "rewritten"
    with pytest.raises(AppendOnlyError):
        assessment.save()
    with pytest.raises(AppendOnlyError):
        Assessment.objects.all().delete()


def test_the_secretariat_disputes_once_with_a_public_reason(assessor_a, secretariat, commitment_a):
    assessment = submit(assessor_a, commitment_a)
    with pytest.raises(ValidationError):  # not published yet
        services.assessment_dispute(user=secretariat, assessment=assessment, reason="x")
    services.assessment_publish(user=secretariat, assessment=assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_dispute(user=assessor_a, assessment=assessment, reason="x")
    services.assessment_dispute(
        user=secretariat, assessment=assessment, reason="The cited law was repealed."
    )
    with pytest.raises(ValidationError):
        services.assessment_dispute(user=secretariat, assessment=assessment, reason="again")
    kinds = list(
        LedgerEntry.objects.filter(subject_id=assessment.pk, subject_type="assessment")
        .order_by("sequence")
        .values_list("kind", flat=True)
    )
    assert kinds == [LedgerEntry.Kind.ASSESSMENT_PUBLISHED, LedgerEntry.Kind.ASSESSMENT_DISPUTED]
    assert ledger_holds()
    commitment_a.refresh_from_db()
    assert commitment_a.independent_status == assessment.status  # a disputed one still counts


def test_a_correction_replaces_the_corrected_once_published_and_both_stay(
    assessor_a, secretariat, commitment_a
):
    first = submit(assessor_a, commitment_a, status=Status.NOT_STARTED)
    with pytest.raises(ValidationError):  # only a published one can be corrected
        services.assessment_correct(
            user=assessor_a,
            corrects=first,
            status=Status.LIMITED,
            period_start=first.period_start,
            period_end=first.period_end,
            narrative="Correction",
            channel=first.channel,
        )
    services.assessment_publish(user=secretariat, assessment=first)
    correction = services.assessment_correct(
        user=assessor_a,
        corrects=first,
        status=Status.SUBSTANTIAL,
        period_start=first.period_start,
        period_end=first.period_end,
        narrative="We missed the new law.",
        channel=first.channel,
    )
    commitment_a.refresh_from_db()
    assert commitment_a.independent_status == Status.NOT_STARTED  # not yet published
    with pytest.raises(ValidationError):  # one live correction at a time
        services.assessment_correct(
            user=assessor_a,
            corrects=first,
            status=Status.COMPLETE,
            period_start=first.period_start,
            period_end=first.period_end,
            narrative="Again",
            channel=first.channel,
        )
    services.assessment_publish(user=secretariat, assessment=correction)
    commitment_a.refresh_from_db()
    assert commitment_a.independent_status == Status.SUBSTANTIAL
    assert Assessment.objects.published().count() == 2
    assert (
        LedgerEntry.objects.get(subject_id=correction.pk, subject_type="assessment").kind
        == LedgerEntry.Kind.ASSESSMENT_CORRECTED
    )


def test_another_organisation_cannot_correct(assessor_a, secretariat, commitment_a, db):
    from tests.factories import OrganisationMembershipFactory, UserFactory

    first = submit(assessor_a, commitment_a)
    services.assessment_publish(user=secretariat, assessment=first)
    other = UserFactory(username="other_assessor")
    OrganisationMembershipFactory(user=other)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(
            user=other,
            organisation=organisation_of(other),
            commitment=commitment_a,
            corrects=first,
            status=Status.COMPLETE,
            period_start=first.period_start,
            period_end=first.period_end,
            narrative="Not ours",
            channel=first.channel,
        )


@pytest.mark.django_db(transaction=True)
def test_the_state_replies_once_and_the_organisation_is_told_once(
    assessor_a, secretariat, focal_point_a, delegate_a, commitment_a, focal_point_b, settings
):
    assessment = submit(assessor_a, commitment_a)
    with pytest.raises(ValidationError):  # not published
        services.assessment_reply_publish(user=focal_point_a, assessment=assessment, text="x")
    services.assessment_publish(user=secretariat, assessment=assessment)
    for outsider in (focal_point_b, secretariat, assessor_a):
        with pytest.raises(PermissionDenied):
            services.assessment_reply_publish(user=outsider, assessment=assessment, text="x")
    mail.outbox.clear()
    reply = services.assessment_reply_publish(
        user=delegate_a, assessment=assessment, text="We disagree: the law passed in May."
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [assessor_a.email]
    assert "replied" in mail.outbox[0].subject
    with pytest.raises(ValidationError):
        services.assessment_reply_publish(user=focal_point_a, assessment=assessment, text="2nd")
    assert services.assessment_reply_notify(reply.pk) == 0  # a rerun sends nothing
    assert len(mail.outbox) == 1
    assert LedgerEntry.objects.get(subject_type="reply").kind == LedgerEntry.Kind.REPLY_PUBLISHED
    assert ledger_holds()
    assert AssessmentReply.objects.count() == 1


def test_removing_a_commitment_removes_its_assessments_and_leaves_a_tombstone(
    secretariat, commitment_a
):
    assessment = AssessmentFactory(commitment=commitment_a)
    AssessmentFactory(commitment=commitment_a, corrects=assessment, status=Status.COMPLETE)
    services.commitment_remove(user=secretariat, commitment=commitment_a, reason="Duplicate")
    assert not Assessment.objects.exists()
    tombstone = LedgerEntry.objects.get(kind=LedgerEntry.Kind.DELETION)
    assert (
        len(ledger.entry_as_dict(tombstone)["record"]["deletion"]["also_deleted"]["assessment"])
        == 2
    )
