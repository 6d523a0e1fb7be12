from django.urls import path

from commitments import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
]
