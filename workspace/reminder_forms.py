"""The reminder-preferences form (reached through a signed link in every reminder)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ReminderPreferencesForm(forms.Form):
    RECEIVE = "receive"
    STOP = "stop"

    reminders = forms.ChoiceField(
        label=_("Review reminders"),
        choices=[
            (RECEIVE, _("Send me review reminders")),
            (STOP, _("Stop review reminders")),
        ],
        widget=forms.RadioSelect,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of the e-mails"), choices=settings.LANGUAGES
    )

    @property
    def opt_out(self) -> bool:
        return self.cleaned_data["reminders"] == self.STOP
