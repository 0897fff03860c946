"""The GPT list's filters: one set of filters for the API's list and the dashboard, each under the
names its query strings have always used. A FilterSet validates the query string; the filtering
itself is the selector's (`selectors.gpt_filter`), so both interfaces get the same query."""

from __future__ import annotations

import django_filters
from django import forms

from . import selectors
from .models import GPT


class StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0; anything else is an error rather than "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


SEARCH_MAX_LENGTH = 200


class SearchField(forms.CharField):
    """Search text, stripped and cut to its first SEARCH_MAX_LENGTH characters (the dashboard's
    search box has always read only those)."""

    def to_python(self, value):
        return super().to_python(value)[:SEARCH_MAX_LENGTH]


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class GPTListFilters(django_filters.FilterSet):
    """The filters the API's list and the dashboard share. Each filter's `field_name` is the
    selector's keyword for it (`selectors.gpt_filter`), whatever the query string calls it."""

    visibility = django_filters.ChoiceFilter(choices=GPT.Visibility.choices, help_text="How it is shared in ChatGPT.")
    readiness = django_filters.ChoiceFilter(choices=GPT.Readiness.choices, help_text="Stored validation outcome.")
    capability = django_filters.ChoiceFilter(
        choices=[(name, name) for name in GPT.CAPABILITY_FIELDS], help_text="Only GPTs with this capability on."
    )

    class Meta:
        model = GPT
        fields = []

    def chosen(self) -> dict:
        """The valid, non-empty filter values by selector keyword (invalid ones are left out)."""
        self.form.is_valid()  # cleans the form; a field whose value is invalid is not in cleaned_data
        cleaned = self.form.cleaned_data
        return {self.filters[name].field_name: value for name, value in cleaned.items() if value not in (None, "")}

    def filter_queryset(self, queryset):
        return selectors.gpt_filter(queryset, **self.chosen())


class GPTFilterSet(GPTListFilters):
    """The API's GPT list filters (`/api/v1/gpts/`)."""

    workspace = django_filters.CharFilter(
        field_name="workspace_slug", help_text="Only GPTs of the workspace with this slug."
    )
    search = django_filters.CharFilter(help_text="Text in the name, description or instructions (any case).")
    has_errors = StrictBooleanFilter(help_text="true: only GPTs with validation errors; false: only those without.")
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in selectors.GPT_ORDERINGS], help_text="Sort key; `-` for descending. Default name."
    )


DASHBOARD_SORTS = (
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-updated", "Last edited (newest)"),
    ("updated", "Last edited (oldest)"),
    ("-created", "Created (newest)"),
)


class GPTDashboardFilterSet(GPTListFilters):
    """The dashboard's filters, under the names its links have always had (`q`, `sort`). A value
    that is not one of the choices is ignored rather than refused: the page shows the list
    without that filter."""

    q = SearchFilter(field_name="search")
    sort = django_filters.ChoiceFilter(field_name="ordering", choices=DASHBOARD_SORTS)
