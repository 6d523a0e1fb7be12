from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from commitments.models import ImportRun


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportRun.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    # What a State's own users may import; the secretariat also imports its reference data.
    STATE_KINDS = (ImportRun.Kind.COMMITMENTS, ImportRun.Kind.UPDATES)

    def __init__(self, *args, secretariat: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not secretariat:
            self.fields["kind"].choices = [
                (value, label)
                for value, label in ImportRun.Kind.choices
                if value in self.STATE_KINDS
            ]
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or Windows-1252) or Excel .xlsx, at most %(size)s, with the columns of "
            "the download or of the template. Nothing is written until you confirm."
        ) % {"size": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)}
