"""Filter forms of the public lists (GET). They only parse: an invalid value is reported next
to its field and ignored; the valid ones still filter."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import Body
from focalpoints.models import MemberState, RegionalGroup

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


ANY = _("Any")


def _any(choices):
    return [("", ANY), *choices]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def filters(self) -> dict:
        """The cleaned values of the valid fields (invalid ones are left out)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


class StateFilterForm(FilterForm):
    SORTS = [
        ("name", _("Name")),
        ("code", _("Code")),
        ("group", _("Regional group")),
        ("focal_point", _("Focal point since")),
        ("commitments", _("Most commitments")),
        ("overdue", _("Most overdue reviews")),
        ("last_report", _("Latest report")),
    ]
    group = forms.ChoiceField(
        label=_("Regional group"), required=False, choices=_any(RegionalGroup.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_any(MemberState.Kind.choices)
    )
    focal_point = forms.ChoiceField(label=_("Has a focal point"), required=False, choices=YES_NO)
    overdue = forms.ChoiceField(label=_("Has overdue reviews"), required=False, choices=YES_NO)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    DESCENDING = frozenset({"commitments", "overdue", "last_report"})

    @property
    def active_sort(self) -> tuple[str, str]:
        """The sort key in force and its direction, for the table's ``aria-sort``."""
        key = self.filters().get("sort", "name")
        return key, "descending" if key in self.DESCENDING else "ascending"

    def selector_kwargs(self) -> dict:
        f = self.filters()
        sort = f.get("sort", "name")
        return {
            "search": f.get("q", ""),
            "regional_group": f.get("group", ""),
            "kind": f.get("kind", ""),
            "has_focal_point": yes_no(f.get("focal_point")),
            "has_overdue": yes_no(f.get("overdue")),
            "sort": sort,
        }


class SearchForm(FilterForm):
    """The text search of the commitments list; its filters are the API's FilterSet
    (tracker/facets.py)."""


class ResolutionFilterForm(FilterForm):
    body = forms.ChoiceField(label=_("Body"), required=False, choices=_any(Body.choices))
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    state = forms.CharField(label=_("State (ISO3 code)"), required=False, max_length=3)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _any([(y, str(y)) for y in years])

    def selector_kwargs(self) -> dict:
        f = self.filters()
        return {
            "search": f.get("q", ""),
            "body": f.get("body", ""),
            "year": f.get("year"),
            "state": f.get("state", ""),
        }


class ReportingPeriodForm(forms.Form):
    """The period of the reporting-cycle page: a quarter (``2026-Q2``), a year (``2026``) or a
    date range (``start`` and ``end``, both included). Empty: the current quarter."""

    period = forms.RegexField(
        label=_("Quarter or year"),
        regex=r"^\d{4}(-Q[1-4])?$",
        required=False,
        help_text=_("E.g. 2026-Q2 or 2026."),
        error_messages={"invalid": _("Give a quarter such as 2026-Q2, or a year such as 2026.")},
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both dates of the range, or neither."))
        if start and end and start > end:
            raise forms.ValidationError(_("The range must start before it ends."))
        return data

    def bounds(self, today) -> tuple:
        """``(start, end)``: the valid choice, else the quarter containing ``today``."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start"):
            return data["start"], data["end"]
        period = data.get("period") or ""
        if period:
            year = int(period[:4])
            if "-Q" not in period:
                return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            return _quarter(year, int(period[-1]))
        return _quarter(today.year, (today.month - 1) // 3 + 1)


def _quarter(year: int, quarter: int) -> tuple:
    start = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, following - datetime.timedelta(days=1)
