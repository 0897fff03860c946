"""The GPT list's filters, one FilterSet for the API and the pages. It validates the query
string; the filtering itself is the selector's (`selectors.gpt_filter`), so both interfaces
get the same query."""

from __future__ import annotations

import functools

import django_filters
from django import forms
from django.http import QueryDict

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


class GPTFilterSet(django_filters.FilterSet):
    workspace = django_filters.CharFilter(help_text="Only GPTs of the workspace with this slug.")
    search = django_filters.CharFilter(help_text="Text in the name, description or instructions (any case).")
    visibility = django_filters.ChoiceFilter(choices=GPT.Visibility.choices, help_text="How it is shared in ChatGPT.")
    readiness = django_filters.ChoiceFilter(choices=GPT.Readiness.choices, help_text="Stored validation outcome.")
    has_errors = StrictBooleanFilter(help_text="true: only GPTs with validation errors; false: only those without.")
    capability = django_filters.ChoiceFilter(
        choices=[(name, name) for name in GPT.CAPABILITY_FIELDS], help_text="Only GPTs with this capability on."
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in selectors.GPT_ORDERINGS], help_text="Sort key; `-` for descending. Default name."
    )

    class Meta:
        model = GPT
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, less its deep copy of every filter for each request (half
        # the filtering's cost on an API list page): here the filters only describe the query
        # string (the form below, the API docs), and the filtering is the selector's.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset if queryset is not None else GPT.objects.all()
        self.request = request
        self.form_prefix = prefix
        self.filters = self.base_filters

    @classmethod
    @functools.cache
    def _form_class(cls) -> type[forms.Form]:
        # django-filter also builds a new form class from the filters on every request; its
        # fields are the same every time.
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def get_form_class(self):
        return self._form_class()

    def filter_queryset(self, queryset):
        data = {key: value for key, value in self.form.cleaned_data.items() if value not in (None, "")}
        workspace_slug = data.pop("workspace", "")
        return selectors.gpt_filter(queryset, workspace_slug=workspace_slug, **data)
