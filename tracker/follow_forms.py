"""Forms of the follow pages: they parse and validate; the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from commitments.follows.models import Frequency
from commitments.models import Commitment, PreventionStep
from focalpoints.models import MemberState


class FollowForm(forms.Form):
    """Follow one item: exactly one of ``state`` (code), ``commitment`` (id) or ``step``
    (code), given by the page the form is on."""

    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        initial=Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    state = forms.CharField(required=False, widget=forms.HiddenInput, max_length=8)
    commitment = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    step = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("state", "commitment", "step") if cleaned.get(name)]
        if len(given) != 1:
            raise forms.ValidationError(
                _("Choose one State, commitment or prevention step to follow.")
            )
        name = given[0]
        value = cleaned[name]
        found = {
            "state": lambda: MemberState.objects.filter(code=str(value).upper()).first(),
            "commitment": lambda: Commitment.objects.filter(pk=value).first(),
            "step": lambda: PreventionStep.objects.filter(code=value).first(),
        }[name]()
        if found is None:
            raise forms.ValidationError(_("There is nothing to follow at this address."))
        cleaned["target"] = {name: found}
        return cleaned


class FollowerPreferencesForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)
