"""Public pages: no log-in needed."""

from django.shortcuts import render

from tracker.selectors import landing_figures


def dashboard(request):
    return render(request, "tracker/dashboard.html", {"figures": landing_figures()})
