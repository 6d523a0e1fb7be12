"""Personal API tokens in the workspace (/my/tokens/): issue one (its secret shown once),
see when each was last used, revoke it. Who may hold a token, and the issuing and revoking
themselves, are :mod:`focalpoints.tokens`; these views only parse, call and render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from focalpoints.models import ApiToken
from focalpoints.tokens import api_token_issue, api_token_revoke, may_hold_api_token


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the token for?"),
        max_length=100,
        help_text=gettext_lazy("E.g. 'ministry reporting system'. Only you and staff see it."),
    )


def _require_token_holder(user) -> None:
    if not may_hold_api_token(user):
        raise PermissionDenied(_("Only users who act for a State can hold an API token."))


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    _require_token_holder(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = api_token_issue(user=request.user, name=form.cleaned_data["name"])
        response = render(
            request, "workspace/tokens_issued.html", {"token": token, "raw_token": raw}
        )
        response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
        return response
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "workspace/tokens.html", {"form": form, "tokens": tokens})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("workspace:tokens")
