"""Workspace forms. They parse and check the shape of input; the services decide and write
(their ``ValidationError`` dicts — the rules, stated once there — are mapped back onto these
fields by the views)."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.evidence import ACCEPTED_EXTENSIONS
from commitments.models import (
    UPDATE_STATUSES,
    Basis,
    Commitment,
    Level,
    OperativeParagraph,
    Origin,
    PreventionStep,
    Resolution,
    UprResponse,
)
from commitments.selectors import resolutions_matching
from focalpoints.models import MemberState

MAX_FILES_PER_UPDATE = 10
MAX_LINKS_PER_UPDATE = 10


class DateInput(forms.DateInput):
    """The browser's date picker; the value is always ISO (what ``type=date`` requires)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several documents in one input; cleans to a list (empty when none is chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(uploads) > MAX_FILES_PER_UPDATE:
            raise forms.ValidationError(
                _("Attach at most %(n)d documents to one update.") % {"n": MAX_FILES_PER_UPDATE},
                code="too_many",
            )
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class CommitmentForm(forms.Form):
    """Record a State's pledge to take a step of the catalogue."""

    state = forms.ModelChoiceField(
        label=_("State"),
        queryset=MemberState.objects.none(),
        empty_label=_("Choose the State"),
    )
    step = forms.ModelChoiceField(
        label=_("Prevention step"),
        queryset=PreventionStep.objects.filter(is_active=True).order_by("level", "code"),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("The practical step from the catalogue your State committed to take."),
        error_messages={"required": _("Choose the prevention step the State committed to.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        help_text=_(
            "A short name for the pledge, e.g. “National atrocity risk assessment by 2027”."
        ),
        error_messages={"required": _("Give the commitment a title.")},
    )
    description = forms.CharField(
        label=_("What the State pledged"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In the State's own words where possible."),
        error_messages={"required": _("Describe what the State pledged.")},
    )
    language = forms.ChoiceField(
        label=_("Language of this text"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The language the title and description are written in (default: yours)."),
    )
    source_kind = forms.ChoiceField(
        label=_("Where it was pledged"),
        choices=[("", _("Choose where it was pledged")), *Commitment.SourceKind.choices],
        error_messages={"required": _("Say where the pledge was made.")},
    )
    source_description = forms.CharField(
        label=_("Pledge source"),
        max_length=300,
        help_text=_("E.g. statement at the 2017 General Assembly dialogue on R2P."),
        error_messages={"required": _("Name the statement, plan or meeting of the pledge.")},
    )
    source_url = forms.URLField(
        label=_("Link to the pledge"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where readers can check it, e.g. the statement's web page."),
    )
    pledged_on = forms.DateField(
        label=_("Pledged on"),
        widget=DateInput,
        error_messages={"required": _("Give the date of the pledge.")},
    )
    target_date = forms.DateField(
        label=_("Target date"),
        widget=DateInput,
        required=False,
        help_text=_("When the State intends to have completed it, if it said."),
    )
    review_interval_days = forms.IntegerField(
        label=_("Review every (days)"),
        min_value=7,
        max_value=1096,
        initial=settings.REVIEW_DEFAULT_INTERVAL_DAYS,
        help_text=_("How often progress is to be reported: between 7 and 1,096 days."),
    )
    basis = forms.ChoiceField(
        label=_("Basis of responsibility"),
        choices=[("", _("As for the step")), *Basis.choices],
        required=False,
        help_text=_("Leave as it is unless the State's pledge rests on another basis."),
    )
    resolutions = forms.ModelMultipleChoiceField(
        label=_("Related resolutions"),
        queryset=Resolution.objects.order_by("-adopted_on", "symbol"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # --- Where the pledge comes from (optional; the service checks each origin's fields).
    origin = forms.ChoiceField(
        label=_("Origin"),
        choices=[("", _("Not recorded")), *Origin.choices],
        required=False,
        help_text=_("What the pledge answers, as reviewers cite it."),
    )
    upr_cycle = forms.IntegerField(label=_("UPR cycle"), min_value=1, max_value=9, required=False)
    upr_recommending_states = forms.CharField(
        label=_("Recommending States"),
        max_length=400,
        required=False,
        help_text=_("ISO 3166 alpha-3 codes separated by spaces, e.g. DNK CRI."),
    )
    upr_recommendation = forms.CharField(
        label=_("UPR recommendation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Its number (e.g. 128.45) or its text."),
    )
    upr_response = forms.ChoiceField(
        label=_("State's response"),
        choices=[("", "—"), *UprResponse.choices],
        required=False,
    )
    operative_paragraph = forms.ModelChoiceField(
        label=_("Operative paragraph"),
        queryset=OperativeParagraph.objects.select_related("resolution").order_by(
            "resolution__symbol", "id"
        ),
        required=False,
        empty_label="—",
    )
    statement_forum = forms.CharField(label=_("Forum"), max_length=200, required=False)
    statement_on = forms.DateField(label=_("Statement date"), widget=DateInput, required=False)
    statement_url = forms.URLField(
        label=_("Link to the statement"), max_length=500, required=False, assume_scheme="https"
    )
    resolution_search = forms.CharField(
        label=_("Find a resolution by symbol or title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    # True when the form came back from the no-JavaScript resolution search: shown again as
    # typed, not judged yet.
    is_search = False

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = states
        if len(states) == 1:
            self.fields["state"].widget = forms.HiddenInput()
            self.fields["state"].initial = states[0].pk

    @classmethod
    def from_request(cls, request, *, states) -> "CommitmentForm":
        """A new form, the submitted one, or — after "Search" — the typed values unjudged."""
        if request.method != "POST":
            asked = request.GET.get("state")
            initial = {"language": getattr(request.user, "preferred_language", "")}
            if asked:
                initial["state"] = asked
            return cls(initial=initial, states=states)
        if request.POST.get("action") != "search":
            return cls(request.POST, states=states)
        initial = {key: request.POST.get(key) for key in request.POST if key != "resolutions"}
        initial["resolutions"] = request.POST.getlist("resolutions")
        form = cls(initial=initial, states=states)
        form.is_search = True
        return form

    def resolution_picker(self) -> dict:
        """The resolutions to offer: all, or those matching the search (and those ticked)."""
        query = (self["resolution_search"].value() or "").strip() if self.is_search else ""
        selected = [str(pk) for pk in (self["resolutions"].value() or [])]
        resolutions = self.fields["resolutions"].queryset
        if query:
            matching = resolutions_matching(query).values("pk")
            resolutions = resolutions.filter(Q(pk__in=selected) | Q(pk__in=matching))
        return {
            "resolution_query": query,
            "resolutions": resolutions,
            "selected_resolutions": selected,
        }

    def cleaned_data_for_service(self) -> dict:
        """The keyword arguments of ``commitments.services.commitment_create``."""
        data = dict(self.cleaned_data)
        data.pop("resolution_search", None)
        data["basis"] = data["basis"] or None
        data["language"] = data.get("language") or None
        return data

    def step_groups(self):
        """The active steps grouped by level, for the step picker."""
        groups: dict[str, list] = {level: [] for level in Level.values}
        for step in self.fields["step"].queryset:
            groups.setdefault(step.level, []).append(step)
        labels = dict(Level.choices)
        return [(labels.get(level, level), steps) for level, steps in groups.items() if steps]


class ProgressUpdateForm(forms.Form):
    """Report progress on a commitment (or correct an earlier report)."""

    reported_on = forms.DateField(
        label=_("Reporting date"),
        widget=DateInput,
        initial=timezone.localdate,
        help_text=_("The date the progress described was reached."),
        error_messages={"required": _("Give the reporting date.")},
    )
    status = forms.ChoiceField(
        label=_("Status after this update"),
        choices=UPDATE_STATUSES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the status the commitment has reached.")},
    )
    narrative = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Concrete steps, who took them, and what changed. This will be public."),
        error_messages={"required": _("Say what was done.")},
    )
    language = forms.ChoiceField(
        label=_("Language of this text"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The language you wrote in (default: yours); pages mark the text with it."),
    )
    files = MultipleFileField(label=_("Documents"), required=False)
    keep_files = forms.MultipleChoiceField(
        label=_("Documents already attached"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a document to leave it out."),
    )

    def __init__(self, *args, draft_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = ",".join(ACCEPTED_EXTENSIONS)
        # Formatted here, not at import, so it is in the language of the request.
        self.fields["files"].help_text = _(
            "PDF, Word, OpenDocument text or images (%(extensions)s), up to %(limit)s each."
        ) % {
            "extensions": ", ".join(ACCEPTED_EXTENSIONS),
            "limit": filesizeformat(settings.EVIDENCE_MAX_UPLOAD_BYTES),
        }
        self.fields["keep_files"].choices = [(f["key"], f["name"]) for f in draft_files]
        if not draft_files:
            del self.fields["keep_files"]


class EvidenceLinkForm(forms.Form):
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    title = forms.CharField(
        label=_("What it is"),
        max_length=250,
        required=False,
        help_text=_("E.g. “Decree No. 12 of 2025 (official gazette)”."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("title") and not cleaned.get("url") and "url" not in self.errors:
            self.add_error("url", _("Give the link's address, or clear its description."))
        return cleaned


EvidenceLinkFormSet = forms.formset_factory(
    EvidenceLinkForm, extra=2, max_num=MAX_LINKS_PER_UPDATE, validate_max=True
)


class RevisionForm(forms.Form):
    """Revise a pledge's terms (the secretariat) or ask for it (the State's focal point). Only
    the fields changed from the commitment's current terms become revisions; the reason is
    public beside each."""

    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    source_url = forms.URLField(
        label=_("Link to the pledge"), max_length=500, required=False, assume_scheme="https"
    )
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DateInput)
    review_interval_days = forms.IntegerField(
        label=_("Review interval (days)"), min_value=7, max_value=1096
    )
    withdraw = forms.BooleanField(
        label=_("Withdraw the commitment"),
        required=False,
        help_text=_("The State no longer stands by this pledge. Its updates stay public."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Public, beside the change on the commitment's page."),
    )

    TERMS = ("title", "description", "source_url", "target_date", "review_interval_days")

    def __init__(self, *args, commitment: Commitment, **kwargs):
        initial = {name: getattr(commitment, name) for name in self.TERMS}
        initial["withdraw"] = commitment.withdrawn_on is not None
        super().__init__(*args, initial=initial, **kwargs)
        self.commitment = commitment

    def changes(self) -> dict:
        """The terms that differ from the commitment's, as the service takes them."""
        changes = {
            name: self.cleaned_data[name] for name in self.TERMS if name in self.changed_data
        }
        if "withdraw" in self.changed_data:
            changes["withdrawn_on"] = (
                timezone.localdate() if self.cleaned_data["withdraw"] else None
            )
        return changes


class RevisionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    decision_note = forms.CharField(
        label=_("Note on the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to refuse: the focal point reads it."),
    )


class RemovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Public, in the tombstone the ledger keeps of this commitment."),
    )


class UpdateTranslationForm(forms.Form):
    """A translation of a published update's narrative into another site language."""

    language = forms.ChoiceField(label=_("Language of the translation"), choices=())
    narrative = forms.CharField(
        label=_("Translated text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("A faithful translation of the published text; it is shown beside it."),
        error_messages={"required": _("Write the translation.")},
    )

    def __init__(self, *args, update, **kwargs):
        super().__init__(*args, **kwargs)
        done = {update.language, *update.translations.values_list("language", flat=True)}
        self.fields["language"].choices = [
            (code, name) for code, name in settings.LANGUAGES if code not in done
        ]
