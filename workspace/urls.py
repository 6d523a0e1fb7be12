from django.urls import path

from workspace import import_views, reminder_views, scrutiny_views, token_views, views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    # Independent scrutiny (docs/scrutiny.md).
    path("assessments/", scrutiny_views.assessments, name="assessments"),
    path(
        "commitments/<int:pk>/assess/", scrutiny_views.assessment_create, name="assessment_create"
    ),
    path(
        "commitments/<int:pk>/assessments/<int:corrects_pk>/correct/",
        scrutiny_views.assessment_create,
        name="assessment_correct",
    ),
    path("assessments/<int:pk>/", scrutiny_views.assessment_detail, name="assessment"),
    path(
        "assessments/<int:pk>/draft/",
        scrutiny_views.assessment_draft_edit,
        name="assessment_draft",
    ),
    path(
        "assessments/<int:pk>/draft/submit/",
        scrutiny_views.assessment_draft_submit,
        name="assessment_draft_submit",
    ),
    path(
        "assessments/<int:pk>/draft/discard/",
        scrutiny_views.assessment_draft_discard,
        name="assessment_draft_discard",
    ),
    path(
        "assessments/<int:pk>/publish/",
        scrutiny_views.assessment_publish,
        name="assessment_publish",
    ),
    path(
        "assessments/<int:pk>/reject/", scrutiny_views.assessment_reject, name="assessment_reject"
    ),
    path(
        "assessments/<int:pk>/dispute/",
        scrutiny_views.assessment_dispute,
        name="assessment_dispute",
    ),
    path("assessments/<int:pk>/reply/", scrutiny_views.assessment_reply, name="assessment_reply"),
    path(
        "assessments/documents/<int:pk>/",
        scrutiny_views.assessment_document,
        name="assessment_document",
    ),
    path("moderation/", scrutiny_views.moderation_queue, name="moderation"),
    path("state-assessments/", scrutiny_views.state_assessments, name="state_assessments"),
    path("register/", scrutiny_views.organisation_registration, name="organisation_register"),
    path(
        "register/confirm/<str:token>/",
        scrutiny_views.organisation_confirm,
        name="organisation_confirm",
    ),
    path("commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/updates/new/", views.update_create, name="update_create"),
    path(
        "commitments/<int:pk>/updates/<int:corrects_pk>/correct/",
        views.update_create,
        name="update_correct",
    ),
    path(
        "commitments/<int:pk>/updates/preview/<str:token>/",
        views.update_preview,
        name="update_preview",
    ),
    path(
        "commitments/<int:pk>/updates/preview/<str:token>/documents/<str:key>",
        views.draft_document,
        name="draft_document",
    ),
    path(
        "commitments/<int:pk>/updates/<int:update_pk>/published/",
        views.update_published,
        name="update_published",
    ),
    path("commitments/<int:pk>/revise/", views.commitment_revise, name="commitment_revise"),
    path("commitments/<int:pk>/remove/", views.commitment_remove, name="commitment_remove"),
    path("revisions/", views.staff_revision_requests, name="staff_revisions"),
    path(
        "revisions/<int:request_pk>/decide/",
        views.staff_revision_decide,
        name="staff_revision_decide",
    ),
    path(
        "commitments/<int:pk>/updates/<int:update_pk>/translate/",
        views.update_translate,
        name="update_translate",
    ),
    # Personal API tokens (the secret is shown once, at issue)
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("tokens/<int:pk>/renew/", token_views.token_renew, name="token_renew"),
    # Spreadsheet imports: upload, dry-run report, confirm or cancel, the log; templates
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<int:pk>/", import_views.import_run, name="import_run"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("imports/template/<slug:kind>.xlsx", import_views.import_template, name="import_template"),
    # Secretariat
    path("overdue/", views.staff_overdue, name="staff_overdue"),
    # Reminders: the secretariat's log, and preferences behind the signed link in each e-mail
    path("reminders/", reminder_views.staff_reminders, name="staff_reminders"),
    path("reminders/retry/", reminder_views.staff_reminders_retry, name="staff_reminders_retry"),
    path(
        "reminders/preferences/<str:token>/",
        reminder_views.reminder_preferences,
        name="reminder_preferences",
    ),
]
