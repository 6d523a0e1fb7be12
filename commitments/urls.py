from django.urls import path

from commitments import reminder_views, views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    # Reminders: the secretariat's log, and preferences behind the signed link in each e-mail
    path("reminders/", reminder_views.staff_reminders, name="staff_reminders"),
    path("reminders/retry/", reminder_views.staff_reminders_retry, name="staff_reminders_retry"),
    path(
        "reminders/preferences/<str:token>/",
        reminder_views.reminder_preferences,
        name="reminder_preferences",
    ),
]
