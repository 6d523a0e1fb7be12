"""Filter forms of the public lists (GET). They only parse: an invalid value is reported next
to its field and ignored; the valid ones still filter."""

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
