from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from config.health import healthz
from workspace.views import LoginView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(), name="login"),  # + preferred language
    path("accounts/", include("django.contrib.auth.urls")),
    path("my/", include("workspace.urls")),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
]

if settings.DEBUG or not settings.PRODUCTION:
    # Uploaded evidence in the embedded default; production serves media from its storage.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
