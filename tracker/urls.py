from django.urls import path

from tracker import feeds, follow_views, views

app_name = "tracker"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accountability/", views.accountability, name="accountability"),
    path("reporting/", views.reporting, name="reporting"),
    path("states/", views.states, name="states"),
    path("states/<str:code>/", views.state, name="state"),
    path("states/<str:code>/updates.atom", feeds.StateUpdatesFeed(), name="state_feed"),
    path("regions/<slug:slug>/", views.region, name="region"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/<int:pk>/", views.commitment, name="commitment"),
    path(
        "commitments/<int:pk>/updates.atom", feeds.CommitmentUpdatesFeed(), name="commitment_feed"
    ),
    path("assessments/", views.assessments, name="assessments"),
    path("resolutions/", views.resolutions, name="resolutions"),
    path("resolutions/<int:pk>/", views.resolution, name="resolution"),
    path("steps/", views.steps, name="steps"),
    path("steps/<slug:code>/", views.step, name="step"),
    path("risk-factors/", views.risk_factors, name="risk_factors"),
    path("risk-factors/<int:number>/", views.risk_factor, name="risk_factor"),
    path("data/", views.open_data, name="data"),
    path("data/r2p-tracker-open-data.zip", views.open_data_zip, name="data_zip"),
    path("evidence/<int:pk>/<str:filename>", views.evidence_document, name="evidence"),
    path(
        "assessment-evidence/<int:pk>/<str:filename>",
        views.assessment_evidence_document,
        name="assessment_evidence",
    ),
    path("updates.atom", feeds.UpdatesFeed(), name="feed"),
    path("data/ledger-head.atom", feeds.LedgerHeadFeed(), name="ledger_feed"),
    # Follow and be told (tracker/follow_views.py).
    path("follow/", follow_views.follow, name="follow"),
    path("follow/requested/", follow_views.follow_requested, name="follow_requested"),
    path("follow/confirm/<str:token>/", follow_views.follow_confirm, name="follow_confirm"),
    path("follow/manage/<str:token>/", follow_views.follow_manage, name="follow_manage"),
    path(
        "follow/unsubscribe/<str:token>/",
        follow_views.follow_unsubscribe,
        name="follow_unsubscribe",
    ),
]
