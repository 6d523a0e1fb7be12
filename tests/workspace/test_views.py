"""The workspace under /my/: what a focal point sees, records and publishes."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commitments.models import Commitment, Evidence, ProgressUpdate, Status
from tests.commitments.upload_samples import FAKE_EXE, TINY_PNG, tiny_pdf
from tests.factories import (
    CommitmentFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)
from workspace.drafts import DRAFTS_SESSION_KEY

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def commitment_post(state, step, /, **overrides):
    data = {
        "state": state.code,
        "step": step.pk,
        "title": "National atrocity risk assessment",
        "description": "We will assess atrocity risks every two years.",
        "source_kind": Commitment.SourceKind.GA_DIALOGUE,
        "source_description": "Statement at the 2017 GA dialogue",
        "source_url": "https://example.org/statement",
        "pledged_on": "2024-03-01",
        "target_date": "2026-03-01",
        "review_interval_days": "180",
        "basis": "",
        "action": "save",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def update_post(**overrides):
    data = {
        "reported_on": (TODAY() - datetime.timedelta(days=2)).isoformat(),
        "status": Status.SUBSTANTIAL,
        "narrative": "The decree establishing the risk assessment unit was adopted.",
        "links-TOTAL_FORMS": "2",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "10",
        "links-0-url": "https://gazette.example.org/decree-12",
        "links-0-title": "Decree No. 12 (official gazette)",
        "links-1-url": "",
        "links-1-title": "",
    }
    data.update(overrides)
    return data


def preview_of(client, commitment, data, corrects=None):
    """POST the update form; return the preview URL it redirects to."""
    url = (
        reverse("workspace:update_correct", args=[commitment.pk, corrects.pk])
        if corrects
        else reverse("workspace:update_create", args=[commitment.pk])
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


# --- /my/ ---------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_lists_own_state_commitments_only(client, focal_point_a, commitment_a, commitment_b):
    client.force_login(focal_point_a)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    assert commitment_a.title in response.content.decode()
    assert commitment_b.title not in response.content.decode()
    assert "Focal point" in response.content.decode()


def test_home_shows_overdue_then_due_soon_first_and_unmistakably(client, focal_point_a, state_a):
    today = TODAY()
    later = CommitmentFactory(state=state_a, title="Later review", pledged_on=today)
    overdue = CommitmentFactory(
        state=state_a, title="Overdue review", pledged_on=today - datetime.timedelta(days=200)
    )
    soon = CommitmentFactory(
        state=state_a, title="Soon review", pledged_on=today - datetime.timedelta(days=175)
    )
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:home")).content.decode()
    attention = html[html.index('id="attention-heading"') : html.index('class="state-section"')]
    assert "1 review is overdue" in attention
    assert "1 review is due soon" in attention
    assert attention.index(overdue.title) < attention.index(soon.title)
    assert later.title not in attention
    assert "Overdue by 20 days" in attention
    assert "Due in 5 days" in attention
    # In the State's full table too, the overdue row comes first and is flagged.
    table = html[html.index("<tbody>") :]
    assert table.index(overdue.title) < table.index(soon.title) < table.index(later.title)
    assert re.search(r'<tr class="is-overdue">\s*<td[^>]*><a href="[^"]+">Overdue review', table)


def test_home_says_when_nothing_is_due(client, focal_point_a, state_a):
    CommitmentFactory(state=state_a, pledged_on=TODAY())
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "No review is overdue or due in the next two weeks." in html


def test_home_empty_state_for_an_account_linked_to_no_state(client, django_user_model, db):
    user = django_user_model.objects.create_user("nobody", password="x-long-password")
    client.force_login(user)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "Your account is not yet linked to a State." in html


def test_home_empty_state_invites_the_focal_point_to_record(client, focal_point_a):
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "No commitment of Ghana is recorded yet." in html
    assert "Record the first commitment" in html


def test_home_empty_state_tells_a_delegate_who_records(client, delegate_a):
    client.force_login(delegate_a)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "Record the first commitment" not in html
    assert "Your State's focal point records its commitments" in html


def test_staff_home_opens_any_state(client, secretariat, commitment_b):
    client.force_login(secretariat)
    html = client.get(reverse("workspace:home")).content.decode()
    assert "you may act for every State" in html
    assert commitment_b.title not in html
    html = client.get(reverse("workspace:home") + "?state=DNK").content.decode()
    assert commitment_b.title in html


def test_home_lists_the_reminders_sent_to_the_user(client, focal_point_a, commitment_a):
    from commitments.models import Reminder

    Reminder.objects.create(
        commitment=commitment_a,
        recipient=focal_point_a,
        recipient_email=focal_point_a.email,
        kind=Reminder.Kind.OVERDUE,
        due_on=datetime.date(2024, 7, 8),
        owed_on=datetime.date(2024, 7, 9),
        outcome=Reminder.Outcome.SENT,
        sent_at=timezone.now(),
    )
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:home")).content.decode()
    reminders = html[html.index('id="reminders-sent-heading"') :]
    assert "Review overdue" in reminders
    assert commitment_a.title in reminders


@pytest.mark.parametrize("count", [1, 12])
def test_home_query_count_does_not_grow_with_commitments(
    client, focal_point_a, state_a, django_assert_num_queries, count
):
    for index in range(count):
        commitment = CommitmentFactory(state=state_a)
        if index % 2:
            ProgressUpdateFactory(commitment=commitment)
    client.force_login(focal_point_a)
    client.get(reverse("workspace:home"))  # warm the cached demo-data flag
    # 1 session, 2 user, 3 the user's State accesses (memoised for every check),
    # 4 the States, 5 the commitments with State, step and latest update (one join),
    # 6 the reminders sent to the user, with their commitments and States,
    # 7 the user's organisation memberships (memoised: assessor? moderator? — issue 10).
    with django_assert_num_queries(7):
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 200


# --- Record a commitment --------------------------------------------------------------------


def test_focal_point_records_a_commitment(client, focal_point_a, state_a):
    step = PreventionStepFactory()
    resolution = ResolutionFactory(symbol="S/RES/2150 (2014)")
    client.force_login(focal_point_a)
    response = client.post(
        reverse("workspace:commitment_create"),
        commitment_post(state_a, step, resolutions=[resolution.pk]),
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:commitment", args=[commitment.pk])
    assert commitment.state == state_a
    assert commitment.created_by == focal_point_a
    assert list(commitment.resolutions.all()) == [resolution]
    assert commitment.basis == step.basis
    assert commitment.next_review_due == datetime.date(2024, 3, 1) + datetime.timedelta(180)
    assert commitment.history.get().history_user == focal_point_a


def test_the_state_field_is_hidden_when_the_user_pledges_for_one_state(client, focal_point_a):
    PreventionStepFactory()
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:commitment_create")).content.decode()
    assert '<input type="hidden" name="state" value="GHA"' in html
    assert "For:" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_date": "2024-02-01"}, "target_date", "cannot be before the pledge date"),
        ({"pledged_on": "2999-01-01"}, "pledged_on", "cannot be in the future"),
        ({"review_interval_days": "3"}, "review_interval_days", "greater than or equal to 7"),
        ({"title": ""}, "title", "Give the commitment a title."),
        ({"step": ""}, "step", "Choose the prevention step"),
        ({"source_url": "not a url"}, "source_url", "Enter a valid URL."),
    ],
)
def test_commitment_form_errors_are_listed_and_linked_to_fields(
    client, focal_point_a, state_a, overrides, field, message
):
    step = PreventionStepFactory()
    client.force_login(focal_point_a)
    response = client.post(
        reverse("workspace:commitment_create"), commitment_post(state_a, step, **overrides)
    )
    assert response.status_code == 200
    assert not Commitment.objects.exists()
    html = response.content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert message in summary
    assert f'href="#id_{field}' in summary
    assert field in response.context["form"].errors


def test_a_step_withdrawn_from_the_catalogue_cannot_be_pledged(client, focal_point_a, state_a):
    step = PreventionStepFactory(is_active=False)
    client.force_login(focal_point_a)
    response = client.post(reverse("workspace:commitment_create"), commitment_post(state_a, step))
    assert "step" in response.context["form"].errors
    assert not Commitment.objects.exists()


def test_service_errors_are_mapped_onto_the_form(client, focal_point_a, state_a, monkeypatch):
    """Whatever the service refuses comes back on the field it names."""
    from django.core.exceptions import ValidationError

    from commitments import services

    def refuse(**kwargs):
        raise ValidationError({"pledged_on": ["Refused by the service."], "other": ["Whole."]})

    monkeypatch.setattr(services, "commitment_create", refuse)
    step = PreventionStepFactory()
    client.force_login(focal_point_a)
    form = client.post(
        reverse("workspace:commitment_create"), commitment_post(state_a, step)
    ).context["form"]
    assert form.errors["pledged_on"] == ["Refused by the service."]
    assert form.non_field_errors() == ["Whole."]


def test_resolution_search_works_without_javascript(client, focal_point_a, state_a):
    step = PreventionStepFactory()
    wanted = ResolutionFactory(symbol="S/RES/1674 (2006)", title="Protection of civilians")
    ticked = ResolutionFactory(symbol="A/RES/60/1", title="World Summit Outcome")
    other = ResolutionFactory(symbol="S/RES/2117 (2013)", title="Small arms and light weapons")
    client.force_login(focal_point_a)
    data = commitment_post(
        state_a, step, action="search", resolution_search="1674", resolutions=[ticked.pk]
    )
    response = client.post(reverse("workspace:commitment_create"), data)
    assert response.status_code == 200
    assert not Commitment.objects.exists()
    html = response.content.decode()
    assert wanted.symbol in html
    assert ticked.symbol in html  # already ticked: kept in view and ticked
    assert other.symbol not in html
    assert 'id="error-summary"' not in html  # searching is not submitting
    assert f'value="{ticked.pk}" id="id_resolutions_{ticked.pk}" checked' in html
    assert 'value="National atrocity risk assessment"' in html  # what was typed survives
    by_title = client.post(
        reverse("workspace:commitment_create"),
        commitment_post(state_a, step, action="search", resolution_search="small ARMS"),
    ).content.decode()
    assert other.symbol in by_title
    assert wanted.symbol not in by_title


# --- Log progress: form, preview, publish, confirmation -------------------------------------


def test_progress_is_previewed_then_published_with_its_evidence(
    client, focal_point_a, commitment_a
):
    client.force_login(focal_point_a)
    pdf = SimpleUploadedFile("decree-12.pdf", tiny_pdf(), content_type="application/pdf")
    preview_url = preview_of(client, commitment_a, update_post(files=[pdf]))
    assert not ProgressUpdate.objects.exists()  # nothing is published by the form

    preview = client.get(preview_url)
    html = preview.content.decode()
    assert "Check and publish" in html
    assert "The decree establishing the risk assessment unit was adopted." in html
    assert "decree-12.pdf" in html
    assert "Decree No. 12 (official gazette)" in html
    assert not ProgressUpdate.objects.exists()

    response = client.post(preview_url, {"action": "publish"})
    update = ProgressUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "workspace:update_published", args=[commitment_a.pk, update.pk]
    )
    assert update.author == focal_point_a
    assert update.status == Status.SUBSTANTIAL
    document, link = update.evidence.order_by("kind")
    assert (document.kind, document.title, document.content_type) == (
        Evidence.Kind.FILE,
        "decree-12",
        "application/pdf",
    )
    assert document.file.read() == tiny_pdf()
    assert document.file.name.startswith("evidence/")
    assert link.url == "https://gazette.example.org/decree-12"
    commitment_a.refresh_from_db()
    assert commitment_a.status == Status.SUBSTANTIAL
    assert client.session[DRAFTS_SESSION_KEY] == {}

    confirmation = client.get(response["Location"]).content.decode()
    assert "Your update is published" in confirmation
    assert "Substantial progress" in confirmation


def test_published_update_shows_on_the_commitment_page(client, focal_point_a, commitment_a):
    client.force_login(focal_point_a)
    preview_url = preview_of(client, commitment_a, update_post())
    client.post(preview_url, {"action": "publish"})
    html = client.get(reverse("workspace:commitment", args=[commitment_a.pk])).content.decode()
    assert "The decree establishing the risk assessment unit was adopted." in html
    assert "Correct this update" in html


def test_going_back_from_the_preview_keeps_what_was_written(client, focal_point_a, commitment_a):
    client.force_login(focal_point_a)
    pdf = SimpleUploadedFile("decree.pdf", tiny_pdf(), content_type="application/pdf")
    preview_url = preview_of(client, commitment_a, update_post(files=[pdf]))
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    edit = client.get(reverse("workspace:update_create", args=[commitment_a.pk]), {"draft": token})
    html = edit.content.decode()
    assert "The decree establishing the risk assessment unit was adopted." in html
    assert "Decree No. 12 (official gazette)" in html
    assert "decree.pdf" in html and 'name="keep_files"' in html
    # Untick the document, preview again, publish: it is left out.
    client.post(
        reverse("workspace:update_create", args=[commitment_a.pk]),
        update_post(draft=token, narrative="Edited."),
    )
    client.post(preview_url, {"action": "publish"})
    update = ProgressUpdate.objects.get()
    assert update.narrative == "Edited."
    assert not update.evidence.filter(kind=Evidence.Kind.FILE).exists()


def test_discarding_a_draft_publishes_nothing_and_removes_its_files(
    client, focal_point_a, commitment_a, settings
):
    client.force_login(focal_point_a)
    pdf = SimpleUploadedFile("decree.pdf", tiny_pdf(), content_type="application/pdf")
    preview_url = preview_of(client, commitment_a, update_post(files=[pdf]))
    drafts = list((settings.MEDIA_ROOT / "evidence-drafts").rglob("*.pdf"))
    assert len(drafts) == 1
    response = client.post(preview_url, {"action": "discard"})
    assert response.status_code == 302
    assert not ProgressUpdate.objects.exists()
    assert not drafts[0].exists()
    assert client.get(preview_url).status_code == 404


def test_another_users_draft_cannot_be_opened(client, focal_point_a, secretariat, commitment_a):
    client.force_login(focal_point_a)
    preview_url = preview_of(client, commitment_a, update_post())
    client.force_login(secretariat)
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url, {"action": "publish"}).status_code == 404
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reported_on": "2999-01-01"}, "reported_on", "cannot be in the future"),
        ({"reported_on": "2024-01-01"}, "reported_on", "cannot be before the pledge"),
        ({"reported_on": ""}, "reported_on", "Give the reporting date."),
        ({"narrative": ""}, "narrative", "Say what was done."),
        ({"narrative": "   "}, "narrative", "Say what was done."),
        ({"status": "not-reported"}, "status", "Select a valid choice."),
        ({"links-0-url": "javascript:alert(1)"}, "links-0-url", "Enter a valid URL."),
        ({"links-0-url": ""}, "links-0-url", "Give the link&#x27;s address"),
    ],
)
def test_update_form_errors_are_listed_and_linked_to_fields(
    client, focal_point_a, commitment_a, overrides, field, message
):
    client.force_login(focal_point_a)
    response = client.post(
        reverse("workspace:update_create", args=[commitment_a.pk]), update_post(**overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert message in summary
    assert f'href="#id_{field}' in summary
    assert not ProgressUpdate.objects.exists()
    assert not client.session.get(DRAFTS_SESSION_KEY)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", FAKE_EXE, "This is not a document we accept."),
        ("report.pdf", TINY_PNG, "The file's name says .pdf but its content is image/png."),
        ("photo.png", tiny_pdf(), "The file's name says .png but its content is application/pdf"),
        ("notes.pdf", b"just some text, not a PDF at all", "This is not a document we accept."),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_uploads_are_judged_by_their_content_not_their_name(
    client, focal_point_a, commitment_a, name, content, message
):
    client.force_login(focal_point_a)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("workspace:update_create", args=[commitment_a.pk]), update_post(files=[upload])
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["files"])
    assert not ProgressUpdate.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(client, focal_point_a, commitment_a, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    client.force_login(focal_point_a)
    upload = SimpleUploadedFile("big.pdf", tiny_pdf("x" * 2000), content_type="application/pdf")
    response = client.post(
        reverse("workspace:update_create", args=[commitment_a.pk]), update_post(files=[upload])
    )
    errors = " ".join(response.context["form"].errors["files"])
    assert re.match(r"big\.pdf: The file is 2\.\d\xa0KB; the limit is 1\.0\xa0KB\.", errors)
    assert not ProgressUpdate.objects.exists()


def test_at_most_ten_documents_per_update(client, focal_point_a, commitment_a):
    client.force_login(focal_point_a)
    files = [SimpleUploadedFile(f"d{i}.pdf", tiny_pdf()) for i in range(11)]
    response = client.post(
        reverse("workspace:update_create", args=[commitment_a.pk]), update_post(files=files)
    )
    assert "Attach at most 10 documents" in " ".join(response.context["form"].errors["files"])


def test_an_error_at_publication_sends_back_to_the_form(client, focal_point_a, commitment_a):
    """Between preview and publish someone else corrected the same update."""
    original = ProgressUpdateFactory(commitment=commitment_a)
    client.force_login(focal_point_a)
    preview_url = preview_of(client, commitment_a, update_post(), corrects=original)
    ProgressUpdateFactory(commitment=commitment_a, corrects=original)
    response = client.post(preview_url, {"action": "publish"}, follow=True)
    assert response.redirect_chain[0][0].startswith(
        reverse("workspace:update_correct", args=[commitment_a.pk, original.pk])
    )
    assert "already been corrected" in response.content.decode()
    assert ProgressUpdate.objects.count() == 2


# --- Corrections ------------------------------------------------------------------------------


def test_the_correction_form_starts_from_the_corrected_update(client, focal_point_a, commitment_a):
    original = ProgressUpdateFactory(
        commitment=commitment_a, narrative="Wrong figure: 12 judges.", status=Status.LIMITED
    )
    client.force_login(focal_point_a)
    response = client.get(reverse("workspace:update_correct", args=[commitment_a.pk, original.pk]))
    form = response.context["form"]
    assert form["narrative"].value() == "Wrong figure: 12 judges."
    assert form["status"].value() == Status.LIMITED
    assert form["reported_on"].value() == original.reported_on
    assert "You are correcting the update of" in response.content.decode()


def test_a_correction_is_a_new_update_and_the_original_is_untouched(
    client, focal_point_a, commitment_a
):
    original = ProgressUpdateFactory(commitment=commitment_a, narrative="Wrong figure.")
    before = ProgressUpdate.objects.filter(pk=original.pk).values().get()
    client.force_login(focal_point_a)
    preview_url = preview_of(
        client, commitment_a, update_post(narrative="Right figure."), corrects=original
    )
    assert "Replaces the update of" in client.get(preview_url).content.decode()
    client.post(preview_url, {"action": "publish"})
    correction = ProgressUpdate.objects.exclude(pk=original.pk).get()
    assert correction.corrects == original
    assert correction.narrative == "Right figure."
    assert ProgressUpdate.objects.filter(pk=original.pk).values().get() == before
    html = client.get(reverse("workspace:commitment", args=[commitment_a.pk])).content.decode()
    assert "Wrong figure." in html and "Right figure." in html
    assert "Replaced by a" in html
    assert html.count("Correct this update") == 1  # only the correction can be corrected now


def test_an_update_already_corrected_cannot_be_corrected_again(client, focal_point_a, commitment_a):
    original = ProgressUpdateFactory(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a, corrects=original)
    client.force_login(focal_point_a)
    response = client.post(
        reverse("workspace:update_correct", args=[commitment_a.pk, original.pk]), update_post()
    )
    assert response.status_code == 200
    assert "already been corrected" in " ".join(response.context["form"].non_field_errors())
    assert ProgressUpdate.objects.count() == 2


def test_an_update_of_another_commitment_cannot_be_corrected_here(
    client, focal_point_a, commitment_a, state_a
):
    elsewhere = ProgressUpdateFactory(commitment=CommitmentFactory(state=state_a))
    client.force_login(focal_point_a)
    url = reverse("workspace:update_correct", args=[commitment_a.pk, elsewhere.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, update_post()).status_code == 404


# --- The workspace commitment page ------------------------------------------------------------


def test_commitment_page_shows_who_changed_what_and_when(
    client, focal_point_a, secretariat, commitment_a
):
    commitment_a._history_user = secretariat
    commitment_a.target_date = datetime.date(2027, 6, 30)
    commitment_a.title = "Renamed commitment"
    commitment_a.save()
    client.force_login(focal_point_a)
    response = client.get(reverse("workspace:commitment", args=[commitment_a.pk]))
    history = response.context["history"]
    assert history[0].who == secretariat
    assert {(c.label, c.new) for c in history[0].changes} == {
        ("target date", datetime.date(2027, 6, 30)),
        ("title", "Renamed commitment"),
    }
    assert history[-1].kind == "+"
    html = response.content.decode()
    assert "History of changes" in html
    assert "Renamed commitment" in html
    assert secretariat.get_full_name() in html


def test_commitment_page_history_costs_the_same_however_long(
    client, focal_point_a, commitment_a, django_assert_max_num_queries
):
    for n in range(8):
        commitment_a.title = f"Title {n}"
        commitment_a.save()
    client.force_login(focal_point_a)
    with django_assert_max_num_queries(12):
        client.get(reverse("workspace:commitment", args=[commitment_a.pk]))


# --- Staff ------------------------------------------------------------------------------------


def test_staff_overdue_page_lists_every_states_overdue_reviews(
    client, secretariat, focal_point_a, state_a, state_b
):
    long_ago = TODAY() - datetime.timedelta(days=400)
    a = CommitmentFactory(state=state_a, title="Ghana overdue", pledged_on=long_ago)
    b = CommitmentFactory(state=state_b, title="Denmark overdue", pledged_on=long_ago)
    CommitmentFactory(state=state_b, title="Denmark on time", pledged_on=TODAY())
    client.force_login(secretariat)
    response = client.get(reverse("workspace:staff_overdue"))
    html = response.content.decode()
    assert a.title in html and b.title in html
    assert "Denmark on time" not in html
    assert "2 commitments' reviews are overdue" in html
    assert focal_point_a.email in html  # who to chase


# --- Accounts ---------------------------------------------------------------------------------


def test_log_in_page_is_templated_and_logs_in(client, focal_point_a):
    assert "Forgotten your password?" in client.get(reverse("login")).content.decode()
    response = client.post(
        reverse("login"), {"username": "fp_a", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")


def test_after_log_in_the_site_speaks_the_accounts_preferred_language(client, focal_point_a):
    focal_point_a.preferred_language = "fr"
    focal_point_a.save()
    client.post(reverse("login"), {"username": "fp_a", "password": "correct-horse-battery"})
    assert "Mon espace de travail" in client.get(reverse("workspace:home")).content.decode()


def test_a_language_chosen_before_log_in_is_kept(client, focal_point_a, settings):
    focal_point_a.preferred_language = "fr"
    focal_point_a.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.post(reverse("login"), {"username": "fp_a", "password": "correct-horse-battery"})
    assert "Mi espacio de trabajo" in client.get(reverse("workspace:home")).content.decode()


def test_a_wrong_password_is_reported_in_the_error_summary(client, focal_point_a):
    response = client.post(reverse("login"), {"username": "fp_a", "password": "wrong"})
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "Please enter a correct username and password" in html


def test_repeated_failed_log_ins_lock_the_account(client, focal_point_a, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "fp_a", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "fp_a", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Log-in is paused for this account" in html
    assert "Try again in 30 minutes." in html
    assert "_auth_user_id" not in client.session


def test_the_session_expires(client, focal_point_a, settings):
    import time_machine

    client.post(reverse("login"), {"username": "fp_a", "password": "correct-horse-battery"})
    assert client.get(reverse("workspace:home")).status_code == 200
    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later):
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_password_reset_sends_a_link_that_sets_a_new_password(client, focal_point_a, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": focal_point_a.email})
    assert response.status_code == 302
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    (mail,) = mailoutbox
    assert mail.subject == "Reset your password for the R2P Commitment Tracker"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    focal_point_a.refresh_from_db()
    assert focal_point_a.check_password("a-new-long-passphrase")


def test_password_change(client, focal_point_a):
    client.force_login(focal_point_a)
    assert "Change your password" in client.get(reverse("password_change")).content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert "Your password is changed" in client.get(response["Location"]).content.decode()


def test_log_out(client, focal_point_a):
    client.force_login(focal_point_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("workspace:home")).status_code == 302


# --- Languages and time zones -----------------------------------------------------------------


def test_arabic_pages_are_right_to_left(client, focal_point_a):
    client.force_login(focal_point_a)
    response = client.get(reverse("workspace:home"), headers={"accept-language": "ar"})
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "overdue"),
    [
        ("fr", "Mon espace de travail", "En retard de 20 jours"),
        ("es", "Mi espacio de trabajo", "Vencida hace 20 días"),
        ("ar", "مساحة عملي", "متأخرة 20 يومًا"),
    ],
)
def test_the_workspace_is_translated(client, focal_point_a, state_a, language, heading, overdue):
    CommitmentFactory(state=state_a, pledged_on=TODAY() - datetime.timedelta(days=200))
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:home"), headers={"accept-language": language})
    html = html.content.decode()
    assert f'<html lang="{language}"' in html
    assert heading in html
    assert overdue in html


def test_times_are_shown_in_the_users_time_zone(client, focal_point_a, commitment_a):
    commitment_a.history.update(history_date=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    focal_point_a.time_zone = "Asia/Tokyo"
    focal_point_a.save()
    client.force_login(focal_point_a)
    html = client.get(reverse("workspace:commitment", args=[commitment_a.pk])).content.decode()
    assert "Asia/Tokyo" in html
    assert "Jan. 1, 2025, 09:00" in html  # midnight UTC is 9 in the morning in Tokyo


def test_abandoned_draft_documents_are_purged_after_a_day(client, focal_point_a, commitment_a):
    import io

    import time_machine
    from django.core.management import call_command

    client.force_login(focal_point_a)
    pdf = SimpleUploadedFile("decree.pdf", tiny_pdf(), content_type="application/pdf")
    preview_url = preview_of(client, commitment_a, update_post(files=[pdf]))
    out = io.StringIO()
    call_command("purge_evidence_drafts", stdout=out)
    assert "Deleted 0" in out.getvalue()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        call_command("purge_evidence_drafts", stdout=out)
    assert "Deleted 1" in out.getvalue()
    # Publishing that draft now says so instead of failing obscurely, and publishes nothing.
    response = client.post(preview_url, {"action": "publish"}, follow=True)
    assert "expired; attach them again: decree.pdf" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    assert response.context["draft_files"] == []


@pytest.mark.parametrize("per_state", [1, 4])
def test_staff_overdue_query_count_does_not_grow_with_rows(
    client,
    secretariat,
    state_a,
    state_b,
    focal_point_a,
    focal_point_b,
    per_state,
    django_assert_num_queries,
):
    long_ago = TODAY() - datetime.timedelta(days=400)
    for state in (state_a, state_b):
        for _n in range(per_state):
            CommitmentFactory(state=state, pledged_on=long_ago)
    client.force_login(secretariat)
    client.get(reverse("workspace:staff_overdue"))  # warm the cached demo-data flag
    # 1 session, 2 user, 3 count for the paginator, 4 the page of commitments with State,
    # step and latest update, 5 the States' active accesses with their users.
    with django_assert_num_queries(5):
        response = client.get(reverse("workspace:staff_overdue"))
    assert len(response.context["page"].object_list) == 2 * per_state


def test_the_500_page_renders_without_a_request_or_a_database():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html


def test_an_unknown_address_gets_the_templated_404(client):
    response = client.get("/my/no-such-page/")
    assert response.status_code == 404
    assert "We cannot find this page" in response.content.decode()


def test_the_workspace_urls_are_where_they_always_were():
    """Bookmarks, e-mails already sent and partners' links keep working after the move of the
    workspace into its own app."""
    from django.urls import reverse

    assert reverse("workspace:home") == "/my/"
    assert reverse("workspace:commitment_create") == "/my/commitments/new/"
    assert reverse("workspace:commitment", kwargs={"pk": 7}) == "/my/commitments/7/"
    assert reverse("workspace:update_create", kwargs={"pk": 7}) == "/my/commitments/7/updates/new/"
    assert (
        reverse("workspace:update_correct", kwargs={"pk": 7, "corrects_pk": 9})
        == "/my/commitments/7/updates/9/correct/"
    )
    assert reverse("workspace:tokens") == "/my/tokens/"
    assert reverse("workspace:staff_overdue") == "/my/overdue/"
    assert reverse("workspace:staff_reminders") == "/my/reminders/"
    assert reverse("login") == "/accounts/login/"


# --- Limits that cannot be walked around ---------------------------------------------------------


def test_twenty_failures_from_one_address_over_five_accounts_lock_that_address(
    client, state_a, settings
):
    """Four failures on each of five accounts stay under the per-account limit (5), but the
    address is locked after twenty — even for a sixth account with the right password —
    while another address can still log in."""
    from focalpoints.models import StateAccess
    from tests.factories import StateAccessFactory, UserFactory

    assert settings.LOGIN_FAILURES_PER_IP == 20 and settings.AXES_FAILURE_LIMIT == 5
    accounts = [UserFactory(username=f"fp_{n}") for n in range(6)]
    for user in accounts:
        StateAccessFactory(user=user, state=state_a, role=StateAccess.Role.DELEGATE)
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    for user in accounts[:5]:
        for _attempt in range(4):
            response = client.post(
                reverse("login"), {"username": user.username, "password": "guess"}, **attacker
            )
            assert response.status_code == 200  # a wrong password, not yet a lock-out
    locked = client.post(
        reverse("login"),
        {"username": accounts[5].username, "password": "correct-horse-battery"},
        **attacker,
    )
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 30 * 60
    assert "Log-in is paused for your network address" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(
        reverse("login"),
        {"username": accounts[5].username, "password": "correct-horse-battery"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert elsewhere.status_code == 302


def test_the_address_lock_covers_the_admin_log_in_and_ignores_forged_headers(
    client, secretariat, settings
):
    settings.LOGIN_FAILURES_PER_IP = 3
    for n in range(3):
        client.post(
            "/admin/login/",
            {"username": f"nobody{n}", "password": "x"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",  # forged: no proxy of ours wrote it
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "secretariat", "password": "correct-horse-battery"},
        REMOTE_ADDR="203.0.113.66",
    )
    assert response.status_code == 200  # the form again: authentication refused
    assert "_auth_user_id" not in client.session


def test_the_address_lock_lifts_after_the_cool_off(client, focal_point_a, settings):
    import time_machine

    settings.LOGIN_FAILURES_PER_IP = 2
    for _attempt in range(2):
        client.post(reverse("login"), {"username": "nobody", "password": "x"})
    good = {"username": "fp_a", "password": "correct-horse-battery"}
    assert client.post(reverse("login"), good).status_code == 429
    from django.core.cache import cache

    cache.clear()  # the cache entry's expiry is the cool-off; locmem cannot travel in time
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert client.post(reverse("login"), good).status_code == 302


def test_password_reset_requests_are_limited_per_address_without_telling(
    client, focal_point_a, mailoutbox, settings
):
    settings.PASSWORD_RESET_PER_ADDRESS = "2/day"
    settings.PASSWORD_RESET_PER_IP = "100/day"
    responses = [
        client.post(
            reverse("password_reset"),
            {"email": focal_point_a.email.upper()},
            REMOTE_ADDR=f"198.51.100.{n}",  # from different addresses: still one inbox
        )
        for n in range(4)
    ]
    assert [r.status_code for r in responses] == [302] * 4  # the same answer every time
    assert len({r["Location"] for r in responses}) == 1
    assert len(mailoutbox) == 2


def test_password_reset_requests_are_limited_per_client_address(client, db, settings):
    settings.PASSWORD_RESET_PER_IP = "3/day"
    statuses = [
        client.post(
            reverse("password_reset"),
            {"email": f"someone{n}@example.org"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",  # forged, ignored
        ).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    refused = client.post(reverse("password_reset"), {"email": "x@example.org"})
    assert int(refused["Retry-After"]) > 0


def test_a_draft_document_is_served_to_its_author_only(
    client, focal_point_a, delegate_a, secretariat, commitment_a
):
    import re as regex

    client.force_login(focal_point_a)
    pdf = SimpleUploadedFile("decree-12.pdf", tiny_pdf(), content_type="application/pdf")
    preview_url = preview_of(client, commitment_a, update_post(files=[pdf]))
    html = client.get(preview_url).content.decode()
    link = regex.search(r'href="(/my/commitments/\d+/updates/preview/[^"]+/documents/[^"]+)"', html)
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == tiny_pdf()
    assert response["Content-Disposition"] == 'inline; filename="decree-12.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    for other in (delegate_a, secretariat):  # may act for the State, but it is not their draft
        client.force_login(other)
        assert client.get(link.group(1)).status_code == 404
    client.logout()
    assert client.get(link.group(1)).status_code == 302  # to the log-in


def test_focal_point_records_the_origin_of_a_commitment(client, focal_point_a, state_a, state_b):
    step = PreventionStepFactory()
    client.force_login(focal_point_a)
    post = commitment_post(
        state_a,
        step,
        origin="upr-recommendation",
        upr_cycle="4",
        upr_recommending_states="dnk",
        upr_recommendation="128.45",
    )
    response = client.post(reverse("workspace:commitment_create"), post)
    assert response.status_code == 200  # the response is missing
    assert "Needed for this origin." in response.content.decode()
    response = client.post(
        reverse("workspace:commitment_create"), {**post, "upr_response": "accepted"}
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.origin, commitment.upr_recommending_states) == ("upr-recommendation", "DNK")
    assert commitment.upr_response == "accepted"


def test_a_request_without_a_session_does_not_load_a_user(rf, settings):
    """No session cookie, nobody signed in: the site's zone, and the user is never loaded."""
    from django.http import HttpResponse
    from django.utils import timezone
    from django.utils.functional import SimpleLazyObject

    from focalpoints.middleware import UserTimezoneMiddleware

    def load():
        raise AssertionError("the user was loaded")

    request = rf.get("/api/v1/commitments/")
    request.user = SimpleLazyObject(load)
    zones = []
    middleware = UserTimezoneMiddleware(
        lambda request: zones.append(timezone.get_current_timezone_name()) or HttpResponse()
    )
    middleware(request)
    assert zones == [settings.TIME_ZONE]
