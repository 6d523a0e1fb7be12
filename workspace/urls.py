from django.urls import path

from workspace import reminder_views, token_views, views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
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
    # Personal API tokens (the secret is shown once, at issue)
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("tokens/<int:pk>/renew/", token_views.token_renew, name="token_renew"),
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
