"""Forms of independent scrutiny (assessors, moderators, the State's reply, self-registration).
They check the shape of input; the services (commitments.services.assessment_*,
focalpoints.services.organisation_*) decide and write."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from commitments.models import UPDATE_STATUSES, AssessmentChannel
from focalpoints.models import MemberState, Organisation, state_name_order
from workspace.forms import DateInput, ProgressUpdateForm


class AssessmentForm(forms.Form):
    """An organisation's assessment of a commitment (or a correction of one)."""

    organisation = forms.ModelChoiceField(
        label=_("Assessing as"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose the organisation you assess for.")},
    )
    status = forms.ChoiceField(
        label=_("Your independent status"),
        choices=UPDATE_STATUSES,
        widget=forms.RadioSelect,
        help_text=_("On the same scale as the government's report."),
        error_messages={"required": _("Choose the status you found.")},
    )
    period_start = forms.DateField(
        label=_("Period from"),
        widget=DateInput,
        error_messages={"required": _("Give the start of the period assessed.")},
    )
    period_end = forms.DateField(
        label=_("Period to"),
        widget=DateInput,
        error_messages={"required": _("Give the end of the period assessed.")},
    )
    narrative = forms.CharField(
        label=_("Your assessment"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you found, how, and on what sources. Public once published."),
        error_messages={"required": _("Say what you found, and how.")},
    )
    channel = forms.ChoiceField(
        label=_("Produced through"),
        choices=AssessmentChannel.choices,
        error_messages={"required": _("Say through what the assessment was produced.")},
    )
    language = ProgressUpdateForm.base_fields["language"]
    files = ProgressUpdateForm.base_fields["files"]
    remove_evidence = forms.MultipleChoiceField(
        label=_("Remove from the draft"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisations=None, evidence=(), **kwargs):
        """``evidence``: a draft's evidence, offered for removal (none for a new one)."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations or Organisation.objects.none()
        self.fields["remove_evidence"].choices = [(str(e.pk), e.title) for e in evidence]
        if not evidence:
            del self.fields["remove_evidence"]
        # The upload help, formatted in the request's language (the update form's rule).
        self.fields["files"].widget.attrs.update(ProgressUpdateForm().fields["files"].widget.attrs)
        self.fields["files"].help_text = ProgressUpdateForm().fields["files"].help_text


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the organisation only, never public."),
        error_messages={"required": _("Say why: the reason is shown to the author.")},
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the secretariat disputes it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public, shown beside the assessment. It stays published."),
        error_messages={
            "required": _("Say why the secretariat disputes it: the reason is public.")
        },
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("The State's reply"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Published at once under the assessment; one reply per assessment."),
        error_messages={"required": _("Write the reply.")},
    )
    language = ProgressUpdateForm.base_fields["language"]


class AssessableSearchForm(forms.Form):
    """Find a commitment to assess, by State."""

    state = forms.ModelChoiceField(
        label=_("State"),
        queryset=MemberState.objects.none(),
        required=False,
        empty_label=_("Choose a State"),
    )

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = (states or MemberState.objects).order_by(state_name_order())


class OrganisationRegistrationForm(forms.Form):
    """An organisation registers itself with its first member account."""

    name = forms.CharField(label=_("Organisation's name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.SECRETARIAT],
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=MemberState.objects.none(),
        required=False,
        empty_label=_("International (no single country)"),
        help_text=_("A national organisation assesses its own country's commitments only."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Public description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who you are and what you monitor: shown with your assessments."),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    contact_email = forms.EmailField(
        label=_("E-mail address"), help_text=_("We send a confirmation link there.")
    )
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    language = forms.ChoiceField(
        label=_("Language of e-mails"), choices=settings.LANGUAGES, initial="en"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = MemberState.objects.order_by(state_name_order())
