"""The admin: every model is curated there, and published progress stays append-only."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from commitments.models import ProgressUpdate
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def test_every_model_of_our_apps_is_in_the_admin():
    from django.apps import apps

    ours = [
        model
        for app in ("focalpoints", "commitments")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    ]
    missing = [model.__name__ for model in ours if model not in admin.site._registry]
    assert missing == []


def test_every_changelist_loads_and_searches(client, secretariat, commitment_a):
    ProgressUpdateFactory(commitment=commitment_a)
    client.force_login(secretariat)
    for model in admin.site._registry:
        if model._meta.app_label not in ("focalpoints", "commitments"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "a"})
        assert response.status_code == 200, url


def test_admin_cannot_edit_or_delete_a_progress_update(client, secretariat, commitment_a):
    update = ProgressUpdateFactory(commitment=commitment_a, narrative="Original words")
    client.force_login(secretariat)
    change = reverse("admin:commitments_progressupdate_change", args=[update.pk])

    client.post(change, {"narrative": "Rewritten", "status": "complete"})
    update.refresh_from_db()
    assert update.narrative == "Original words"

    delete = reverse("admin:commitments_progressupdate_delete", args=[update.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_the_admin_shows_a_progress_update_read_only(client, secretariat, commitment_a):
    update = ProgressUpdateFactory(commitment=commitment_a, narrative="Original words")
    client.force_login(secretariat)

    response = client.get(reverse("admin:commitments_progressupdate_change", args=[update.pk]))
    assert response.status_code == 200
    assert b"Original words" in response.content
    assert b'name="narrative"' not in response.content


def test_admin_adds_a_progress_update_through_the_service(client, secretariat, commitment_a):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:commitments_progressupdate_add"),
        {
            "commitment": commitment_a.pk,
            "reported_on": "2024-06-01",
            "status": "substantial",
            "narrative": "Recorded by the secretariat",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    commitment_a.refresh_from_db()
    assert commitment_a.status == "substantial"
    assert commitment_a.latest_update.author == secretariat


def test_admin_history_page_of_a_commitment_shows_the_author(client, secretariat, commitment_a):
    commitment_a._history_user = secretariat
    commitment_a.title = "Renamed by staff"
    commitment_a.save()
    client.force_login(secretariat)

    response = client.get(reverse("admin:commitments_commitment_history", args=[commitment_a.pk]))
    assert response.status_code == 200
    assert secretariat.username.encode() in response.content


def test_changing_a_commitments_resolutions_in_the_admin_marks_it_changed(
    client, secretariat, commitment_a
):
    import datetime

    from commitments.models import Commitment
    from tests.factories import ResolutionFactory

    resolution = ResolutionFactory()
    Commitment.objects.filter(pk=commitment_a.pk).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    client.force_login(secretariat)
    url = reverse("admin:commitments_commitment_change", args=[commitment_a.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("resolutions", "channels")
    }
    data.update(
        {
            "state": commitment_a.state_id,
            "step": commitment_a.step_id,
            "pledged_on": commitment_a.pledged_on.isoformat(),
            "resolutions": [resolution.pk],
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
            "revision_reason": "The statement also cited this resolution.",
        }
    )
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment_a.refresh_from_db()
    assert list(commitment_a.resolutions.all()) == [resolution]
    assert commitment_a.updated_at.year > 2020
    [revision] = commitment_a.revisions.all()
    assert (revision.field, revision.before, revision.after) == (
        "resolutions",
        "",
        resolution.symbol,
    )


def test_an_update_on_a_demo_commitment_is_demo_data(commitment_a, focal_point_a):
    import datetime

    from commitments.models import Commitment
    from commitments.services import progress_update_create

    Commitment.objects.filter(pk=commitment_a.pk).update(is_demo=True)
    commitment_a.refresh_from_db()
    update = progress_update_create(
        user=focal_point_a,
        commitment=commitment_a,
        reported_on=datetime.date(2024, 6, 1),
        status="limited",
        narrative="Posted without saying it is demo",
    )
    assert update.is_demo


def test_the_network_list_counts_members_without_a_query_per_network(
    client, secretariat, state_a, state_b, django_assert_max_num_queries
):
    from focalpoints.models import Network, NetworkMembership

    for number in range(5):
        network = Network.objects.create(slug=f"n{number}", name=f"Network {number}")
        NetworkMembership.objects.create(network=network, state=state_a)
        NetworkMembership.objects.create(network=network, state=state_b, role="host")
        NetworkMembership.objects.create(network=network, state=state_b)
    client.force_login(secretariat)

    # session, user, count, page of networks with member counts, plus the admin's own few.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin:focalpoints_network_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_list[0].state_count == 2


# --- The admin writes through the services; their errors are form errors, never a 500 ---------


def commitment_admin_data(state, step, **overrides):
    data = {
        "state": state.code,
        "step": step.pk,
        "title": "Recorded by the secretariat",
        "description": "From the statement.",
        "source_kind": "upr",
        "source_description": "UPR 2022",
        "pledged_on": "2024-01-01",
        "review_interval_days": "180",
        "basis": "political",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_records_a_commitment_through_the_service(client, secretariat, state_a):
    from commitments.models import Commitment
    from tests.factories import PreventionStepFactory, ScrutinyChannelFactory

    step = PreventionStepFactory()
    step.channels.add(ScrutinyChannelFactory())
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:commitments_commitment_add"), commitment_admin_data(state_a, step)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment = Commitment.objects.get(title="Recorded by the secretariat")
    # What only the service does: who recorded it, the derived schedule, the step's channels.
    assert commitment.created_by == secretariat
    assert commitment.next_review_due is not None
    assert list(commitment.channels.all()) == list(step.channels.all())
    assert commitment.history.first().history_user == secretariat


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"target_date": "2023-12-31"},
            "target_date",
            "The target date cannot be before the pledge date.",
        ),
        ({"pledged_on": "2999-01-01"}, "pledged_on", "The pledge date cannot be in the future."),
    ],
)
def test_a_service_rule_broken_in_the_admin_is_a_form_error(
    client, secretariat, state_a, overrides, field, message
):
    from commitments.models import Commitment
    from tests.factories import PreventionStepFactory

    client.force_login(secretariat)
    data = commitment_admin_data(state_a, PreventionStepFactory(), **overrides)
    response = client.post(reverse("admin:commitments_commitment_add"), data)
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Commitment.objects.exists()


def test_a_retired_step_cannot_be_chosen_for_a_commitment_in_the_admin(
    client, secretariat, state_a
):
    from tests.factories import PreventionStepFactory

    client.force_login(secretariat)
    data = commitment_admin_data(state_a, PreventionStepFactory(is_active=False))
    response = client.post(reverse("admin:commitments_commitment_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["step"] == [
        "This step is no longer offered for new commitments."
    ]


def test_admin_changes_a_commitments_terms_through_the_service(client, secretariat, commitment_a):
    client.force_login(secretariat)
    url = reverse("admin:commitments_commitment_change", args=[commitment_a.pk])
    data = _change_data(
        commitment_a,
        review_interval_days="90",
        revision_reason="Quarterly reviews agreed with the focal point.",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment_a.refresh_from_db()
    # The service moved the schedule with the interval.
    assert commitment_a.review_interval_days == 90
    assert commitment_a.next_review_due == commitment_a.pledged_on + datetime.timedelta(days=90)
    assert commitment_a.history.first().history_user == secretariat
    assert commitment_a.revisions.get().reason == "Quarterly reviews agreed with the focal point."


def _change_data(commitment, **overrides):
    """The change form as the commitment stands, with ``overrides``."""
    current = {
        "title": commitment.title,
        "description": commitment.description,
        "source_kind": commitment.source_kind,
        "source_description": commitment.source_description,
        "pledged_on": commitment.pledged_on.isoformat(),
        "review_interval_days": str(commitment.review_interval_days),
        "basis": commitment.basis,
    }
    return commitment_admin_data(commitment.state, commitment.step, **{**current, **overrides})


@pytest.mark.parametrize(
    "change",
    [
        {"title": "A typo fixed"},
        {"description": "Different words"},
        {"target_date": "2030-01-01"},
        {"review_interval_days": "365"},
        {"basis": "legal"},
        {"source_url": "https://example.org/pledge"},
        {"withdraw_on": "2024-06-01"},
    ],
)
def test_the_commitment_change_form_changes_no_term_without_a_reason(
    client, secretariat, commitment_a, change
):
    """No silent edit path: every term, even a typo, needs a reason and becomes a revision."""
    client.force_login(secretariat)
    url = reverse("admin:commitments_commitment_change", args=[commitment_a.pk])
    before = {f: getattr(commitment_a, f) for f in ("title", "description", "target_date")}

    response = client.post(url, _change_data(commitment_a, **change))

    assert response.status_code == 200
    assert "reason" in str(response.context["adminform"].form.errors["revision_reason"])
    commitment_a.refresh_from_db()
    assert {f: getattr(commitment_a, f) for f in before} == before
    assert commitment_a.withdrawn_on is None
    assert not commitment_a.revisions.exists()

    response = client.post(url, _change_data(commitment_a, revision_reason="Fixed.", **change))
    assert response.status_code == 302, response.context["adminform"].form.errors
    [revision] = commitment_a.revisions.all()
    assert revision.reason == "Fixed."


def test_saving_the_change_form_unchanged_is_refused_not_silently_saved(
    client, secretariat, commitment_a
):
    client.force_login(secretariat)
    url = reverse("admin:commitments_commitment_change", args=[commitment_a.pk])
    response = client.post(url, _change_data(commitment_a, revision_reason="Nothing."))
    assert response.status_code == 200
    assert "Nothing would change" in str(response.context["adminform"].form.errors)


def test_the_admin_offers_no_delete_for_commitments_and_no_edit_of_revisions_or_the_ledger(
    client, secretariat, commitment_a
):
    from commitments.models import CommitmentRevision, LedgerEntry, RevisionRequest

    client.force_login(secretariat)
    delete = reverse("admin:commitments_commitment_delete", args=[commitment_a.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert type(commitment_a).objects.filter(pk=commitment_a.pk).exists()
    for model in (CommitmentRevision, RevisionRequest, LedgerEntry):
        add = reverse(f"admin:commitments_{model._meta.model_name}_add")
        assert client.get(add).status_code == 403


def test_a_service_error_on_a_progress_update_in_the_admin_is_a_form_error(
    client, secretariat, commitment_a
):
    update = ProgressUpdateFactory(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a, corrects=update)
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:commitments_progressupdate_add"),
        {
            "commitment": commitment_a.pk,
            "reported_on": "1999-01-01",
            "status": "substantial",
            "narrative": "Correcting an update that is already corrected",
            "corrects": update.pk,
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["reported_on"] == [
        f"The reporting date cannot be before the pledge ({commitment_a.pledged_on.isoformat()})."
    ]
    assert errors["corrects"] == [
        "This update has already been corrected: correct the latest correction."
    ]
    assert ProgressUpdate.objects.count() == 2
