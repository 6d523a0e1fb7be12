"""The focal point's workspace under /my/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from focalpoints.permissions import states_for


@login_required
def home(request):
    states = states_for(request.user).order_by("name")
    return render(request, "commitments/home.html", {"states": states})
