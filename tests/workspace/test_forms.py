"""The workspace forms: what they accept and every error they give (the rules of the services
shown on the form's fields)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commitments import services
from commitments.models import Status
from focalpoints.models import MemberState
from tests.commitments.upload_samples import FAKE_EXE, TINY_PNG, tiny_pdf
from tests.factories import CommitmentFactory, PreventionStepFactory, ProgressUpdateFactory
from workspace.forms import (
    CommitmentForm,
    EvidenceLinkForm,
    EvidenceLinkFormSet,
    ProgressUpdateForm,
)

pytestmark = pytest.mark.django_db


def commitment_data(state, step, /, **overrides):
    data = {
        "state": state.code,
        "step": step.pk,
        "title": "Pledge",
        "description": "Pledged.",
        "source_kind": "upr",
        "source_description": "UPR 2022",
        "pledged_on": "2024-01-01",
        "review_interval_days": "180",
    }
    data.update(overrides)
    return data


def commitment_form(state, data):
    return CommitmentForm(data, states=MemberState.objects.filter(code=state.code))


def test_a_complete_commitment_form_is_valid(state_a):
    form = commitment_form(state_a, commitment_data(state_a, PreventionStepFactory()))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["target_date"] is None
    assert form.cleaned_data["basis"] == ""


def posted_form_errors(client, user, data) -> dict:
    """The rules on a pledge's terms are the service's (commitment_terms_check), stated once;
    the form shows the service's errors on its fields."""
    client.force_login(user)
    response = client.post(reverse("workspace:commitment_create"), data)
    assert response.status_code == 200
    return response.context["form"].errors


def test_the_target_date_may_not_be_before_the_pledge(client, state_a, focal_point_a):
    data = commitment_data(state_a, PreventionStepFactory(), target_date="2023-12-31")
    assert posted_form_errors(client, focal_point_a, data) == {
        "target_date": ["The target date cannot be before the pledge date."]
    }


def test_the_target_date_may_be_the_pledge_date(state_a):
    data = commitment_data(state_a, PreventionStepFactory(), target_date="2024-01-01")
    assert commitment_form(state_a, data).is_valid()


def test_the_pledge_date_may_not_be_in_the_future(client, state_a, focal_point_a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = commitment_data(state_a, PreventionStepFactory(), pledged_on=tomorrow.isoformat())
    assert posted_form_errors(client, focal_point_a, data) == {
        "pledged_on": ["The pledge date cannot be in the future."]
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("6", "Ensure this value is greater than or equal to 7."),
        ("1097", "Ensure this value is less than or equal to 1096."),
        ("", "This field is required."),
    ],
)
def test_the_review_interval_is_bounded(state_a, value, message):
    data = commitment_data(state_a, PreventionStepFactory(), review_interval_days=value)
    assert commitment_form(state_a, data).errors == {"review_interval_days": [message]}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("step", "Choose the prevention step the State committed to."),
        ("title", "Give the commitment a title."),
        ("description", "Describe what the State pledged."),
        ("source_kind", "Say where the pledge was made."),
        ("source_description", "Name the statement, plan or meeting of the pledge."),
        ("pledged_on", "Give the date of the pledge."),
    ],
)
def test_required_fields_say_what_is_missing(state_a, field, message):
    data = commitment_data(state_a, PreventionStepFactory(), **{field: ""})
    assert commitment_form(state_a, data).errors == {field: [message]}


def test_only_the_states_offered_can_be_chosen(state_a, state_b):
    data = commitment_data(state_b, PreventionStepFactory())
    assert "state" in commitment_form(state_a, data).errors


def test_a_step_no_longer_offered_cannot_be_chosen(state_a):
    data = commitment_data(state_a, PreventionStepFactory(is_active=False))
    assert "step" in commitment_form(state_a, data).errors


def test_steps_are_offered_grouped_by_level(state_a):
    PreventionStepFactory(code="N1", level="national")
    PreventionStepFactory(code="U1", level="un-system")
    groups = CommitmentForm(states=MemberState.objects.all()).step_groups()
    assert [(str(label), [s.code for s in steps]) for label, steps in groups] == [
        ("National", ["N1"]),
        ("UN system", ["U1"]),
    ]


def test_one_state_makes_the_state_field_hidden(state_a):
    form = CommitmentForm(states=MemberState.objects.filter(code="GHA"))
    assert form["state"].is_hidden
    assert form["state"].value() == "GHA"


# --- Progress update ----------------------------------------------------------------------------


def update_form(data=None, files=None, **kwargs):
    base = {
        "reported_on": timezone.localdate().isoformat(),
        "status": Status.LIMITED,
        "narrative": "Work began.",
    }
    return ProgressUpdateForm({**base, **(data or {})}, files or {}, **kwargs)


def test_a_complete_update_form_is_valid():
    form = update_form()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["files"] == []


def test_not_reported_is_not_a_status_one_can_report():
    assert update_form({"status": Status.NOT_REPORTED}).errors == {
        "status": ["Select a valid choice. not-reported is not one of the available choices."]
    }


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("reported_on", "Give the reporting date."),
        ("status", "Choose the status the commitment has reached."),
        ("narrative", "Say what was done."),
    ],
)
def test_update_required_fields_say_what_is_missing(field, message):
    assert update_form({field: ""}).errors == {field: [message]}


def test_several_documents_can_be_attached_and_at_most_ten():
    from django.utils.datastructures import MultiValueDict

    two = MultiValueDict({"files": [SimpleUploadedFile(f"{n}.pdf", tiny_pdf()) for n in "ab"]})
    form = update_form(files=two)
    assert form.is_valid()
    assert [f.name for f in form.cleaned_data["files"]] == ["a.pdf", "b.pdf"]
    eleven = MultiValueDict(
        {"files": [SimpleUploadedFile(f"{n}.pdf", tiny_pdf()) for n in range(11)]}
    )
    assert update_form(files=eleven).errors == {
        "files": ["Attach at most 10 documents to one update."]
    }


def test_the_file_input_says_what_it_accepts():
    form = ProgressUpdateForm()
    assert (
        form.fields["files"].widget.attrs["accept"] == ".doc,.docx,.jpeg,.jpg,.odt,.pdf,.png,.webp"
    )
    assert "10.0\xa0MB" in str(form.fields["files"].help_text)


def test_draft_documents_can_be_kept_or_dropped():
    drafts = [{"key": "k1", "name": "a.pdf"}, {"key": "k2", "name": "b.pdf"}]
    form = update_form({"keep_files": ["k2"]}, draft_files=drafts)
    assert form.is_valid()
    assert form.cleaned_data["keep_files"] == ["k2"]
    assert "keep_files" not in ProgressUpdateForm().fields


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"url": "https://example.org/x", "title": ""}, {}),
        ({"url": "example.org/x", "title": ""}, {}),  # https:// assumed
        ({"url": "", "title": ""}, {}),  # an empty row is ignored
        (
            {"url": "", "title": "Decree"},
            {"url": ["Give the link's address, or clear its description."]},
        ),
        ({"url": "not a link", "title": ""}, {"url": ["Enter a valid URL."]}),
        ({"url": "javascript:alert(1)", "title": ""}, {"url": ["Enter a valid URL."]}),
    ],
)
def test_evidence_links(data, errors):
    form = EvidenceLinkForm(data)
    form.is_valid()
    assert form.errors == errors


def test_at_most_ten_links():
    data = {"links-TOTAL_FORMS": "11", "links-INITIAL_FORMS": "0"}
    for n in range(11):
        data[f"links-{n}-url"] = f"https://example.org/{n}"
    formset = EvidenceLinkFormSet(data, prefix="links")
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Please submit at most 10 forms."]


# --- The service's checks, which the form's preview step runs ----------------------------------


def check(user, commitment, **overrides):
    kwargs = {
        "user": user,
        "commitment": commitment,
        "reported_on": timezone.localdate(),
        "narrative": "Done.",
    }
    kwargs.update(overrides)
    return services.progress_update_check(**kwargs)


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_check_refuses_a_reporting_date_in_the_future(focal_point_a, commitment_a):
    with pytest.raises(ValidationError) as excinfo:
        check(focal_point_a, commitment_a, reported_on=timezone.localdate() + datetime.timedelta(1))
    assert errors_of(excinfo) == {"reported_on": ["The reporting date cannot be in the future."]}


def test_check_refuses_a_reporting_date_before_the_pledge(focal_point_a, commitment_a):
    with pytest.raises(ValidationError) as excinfo:
        check(focal_point_a, commitment_a, reported_on=datetime.date(2024, 1, 9))
    assert errors_of(excinfo) == {
        "reported_on": ["The reporting date cannot be before the pledge (2024-01-10)."]
    }


def test_check_refuses_correcting_an_update_of_another_commitment(
    focal_point_a, commitment_a, state_a
):
    elsewhere = ProgressUpdateFactory(commitment=CommitmentFactory(state=state_a))
    with pytest.raises(ValidationError) as excinfo:
        check(focal_point_a, commitment_a, corrects=elsewhere)
    assert errors_of(excinfo) == {
        "corrects": ["The update to correct belongs to another commitment."]
    }


def test_check_refuses_correcting_an_update_twice(focal_point_a, commitment_a):
    original = ProgressUpdateFactory(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a, corrects=original)
    with pytest.raises(ValidationError) as excinfo:
        check(focal_point_a, commitment_a, corrects=original)
    assert errors_of(excinfo) == {
        "corrects": ["This update has already been corrected: correct the latest correction."]
    }


@pytest.mark.parametrize(
    ("name", "content", "code_words"),
    [
        ("evil.pdf", FAKE_EXE, "not a document we accept"),
        ("image.pdf", TINY_PNG, "says .pdf but its content is image/png"),
        ("report.docx", tiny_pdf(), "says .docx but its content is application/pdf"),
        ("report", tiny_pdf(), "says no extension but its content is application/pdf"),
    ],
)
def test_check_judges_uploads_by_content(focal_point_a, commitment_a, name, content, code_words):
    with pytest.raises(ValidationError) as excinfo:
        check(focal_point_a, commitment_a, files=[SimpleUploadedFile(name, content)])
    (message,) = errors_of(excinfo)["files"]
    assert message.startswith(f"{name}: ") and code_words in message


def test_check_refuses_a_file_over_the_limit(focal_point_a, commitment_a, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as excinfo:
        check(focal_point_a, commitment_a, files=[SimpleUploadedFile("a.pdf", tiny_pdf())])
    assert "the limit is 100\xa0bytes" in errors_of(excinfo)["files"][0]


def test_check_describes_accepted_uploads(focal_point_a, commitment_a):
    (pdf,) = check(
        focal_point_a, commitment_a, files=[SimpleUploadedFile("Decree 12.pdf", tiny_pdf())]
    )
    assert (pdf.content_type, pdf.title, pdf.size) == (
        "application/pdf",
        "Decree 12",
        len(tiny_pdf()),
    )
