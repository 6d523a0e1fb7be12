"""``/api/v1/`` (the versioned open data API), ``/api/schema/`` and ``/api/docs/``.

Versioning: ``v1`` only ever changes compatibly (new fields, filters or endpoints). A change
that would break a client gets a new prefix (``/api/v2/``) served alongside ``v1`` for at least
twelve months. See docs/api.md.
"""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tracker.api import views

router = SimpleRouter()
router.register("member-states", views.MemberStateViewSet, basename="member-state")
router.register("focal-points", views.FocalPointViewSet, basename="focal-point")
router.register("resolutions", views.ResolutionViewSet, basename="resolution")
router.register("prevention-steps", views.PreventionStepViewSet, basename="prevention-step")
router.register("risk-factors", views.RiskFactorViewSet, basename="risk-factor")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register(
    "documented-practice", views.DocumentedPracticeViewSet, basename="documented-practice"
)
router.register("progress-updates", views.ProgressUpdateViewSet, basename="progress-update")
router.register(
    "commitment-revisions", views.CommitmentRevisionViewSet, basename="commitment-revision"
)
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("assessments", views.AssessmentViewSet, basename="assessment")

app_name = "api"

v1 = [
    path("", views.IndexView.as_view(), name="index"),
    *router.urls,
    path(
        "commitments/<int:pk>/progress-updates/",
        views.CommitmentProgressUpdateCreate.as_view(),
        name="commitment-progress-update-create",
    ),
    path(
        "commitments/<int:pk>/assessments/",
        views.CommitmentAssessmentCreate.as_view(),
        name="commitment-assessment-create",
    ),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("ledger/head/", views.LedgerHeadView.as_view(), name="ledger-head"),
    path("deletions/", views.DeletionsView.as_view(), name="deletions"),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Swagger UI sets a few inline styles; scripts stay 'self' only (the split view serves
        # its start-up script as a file), and only this page relaxes styles.
        csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    re_path(r"", views.api_not_found),
]
