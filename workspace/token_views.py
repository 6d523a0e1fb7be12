"""Personal API tokens in the workspace (/my/tokens/): issue one (its secret shown once,
optionally limited to one State), see when each expires and was last used, renew or revoke it.
Who may hold a token, and the issuing, renewing and revoking themselves, are
:mod:`focalpoints.tokens`; these views only parse, call and render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from focalpoints.models import ApiToken, MemberState, Organisation, state_name_order
from focalpoints.tokens import (
    api_token_issue,
    api_token_renew,
    api_token_revoke,
    may_hold_api_token,
    token_lifetime,
    token_organisations,
    token_states,
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the token for?"),
        max_length=100,
        help_text=gettext_lazy("E.g. 'ministry reporting system'. Only you and staff see it."),
    )
    state = forms.ModelChoiceField(
        label=gettext_lazy("Limit it to one State"),
        queryset=MemberState.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every State I act for"),
        help_text=gettext_lazy(
            "A limited token cannot post for any other State, even if you act for several."
        ),
    )

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Submit assessments for"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("No organisation (a State's token)"),
        help_text=gettext_lazy(
            "An organisation's token submits that organisation's assessments and acts for no State."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = token_states(user).order_by(state_name_order())
        organisations = token_organisations(user).order_by("name")
        self.fields["organisation"].queryset = organisations
        if not token_states(user).exists():  # an assessor only: the token is an organisation's
            self.fields["organisation"].required = True
            self.fields["organisation"].empty_label = None

    def clean(self):
        data = super().clean()
        if data.get("state") and data.get("organisation"):
            self.add_error(
                "organisation", _("A token acts for a State or an organisation, not both.")
            )
        return data


def _require_token_holder(user) -> None:
    if not may_hold_api_token(user):
        raise PermissionDenied(
            _("Only users who act for a State or an organisation can hold an API token.")
        )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    _require_token_holder(request.user)
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, raw = api_token_issue(
            user=request.user,
            name=data["name"],
            state=data["state"],
            organisation=data["organisation"],
        )
        response = render(
            request, "workspace/tokens_issued.html", {"token": token, "raw_token": raw}
        )
        response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
        return response
    tokens = ApiToken.objects.filter(user=request.user).select_related(
        "state", "organisation", "issued_by"
    )
    context = {"form": form, "tokens": tokens, "lifetime_days": token_lifetime().days}
    return render(request, "workspace/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("workspace:tokens")


@login_required
@require_POST
def token_renew(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    api_token_renew(token=token, renewed_by=request.user)
    messages.success(
        request,
        _("The token %(prefix)s… now expires on %(date)s.")
        % {"prefix": token.prefix, "date": date_format(localtime(token.expires_at))},
    )
    return redirect("workspace:tokens")
