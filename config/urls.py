from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from workspace.views import LoginView, PasswordResetView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(), name="login"),  # + preferred language, IP lock
    path(  # + limits per client and per address
        "accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("my/", include("workspace.urls")),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
]
# Uploaded documents are never served from MEDIA_URL, in development or production: only
# through tracker.views.evidence_document (published) and the workspace's draft view, which
# check what may be seen and set the headers (commitments.evidence.document_response).
