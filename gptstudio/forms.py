"""Form pieces both studio apps (gpts, actions) share: newline normalisation and the version field
that makes every save of an existing object a checked one."""

from __future__ import annotations

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.text import normalize_newlines


class NormalizedNewlinesMixin:
    """Store text with "\\n" line ends whatever the browser sent.

    HTML form submission turns every line break of a textarea into CRLF, while the page's own
    JavaScript (the character counters) and ChatGPT count a line break as one character. Left
    alone, 7,950 typed characters over 790 lines arrive as 8,740 and trip the 8,000 limit, and the
    "\\r"s travel on into exports and diffs. So every submitted text value is normalised before any
    field sees it: textareas, and single-line inputs too (a browser never sends a line break in
    one, so only a hand-made request could, and it should not get one stored either). Uploaded
    files are not form data and are left to the field that reads them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = _normalized(self.data)


def _normalized(data):
    if isinstance(data, MultiValueDict):  # QueryDict included: keep every value of a repeated key
        normalized = data.copy()
        for key, values in data.lists():
            normalized.setlist(key, [_text(value) for value in values])
        return normalized
    return {key: _text(value) for key, value in data.items()}


def _text(value):
    if isinstance(value, str):
        return normalize_newlines(value)
    if isinstance(value, list):
        return [_text(item) for item in value]
    return value


class VersionField(forms.IntegerField):
    """The version a page was opened at, sent back on save so the service can refuse a stale save
    instead of overwriting someone else's edit. Required: a save without it would be a blind one."""

    widget = forms.HiddenInput

    default_error_messages = {
        "required": (
            "This save did not say which version it was made from, so it could not be checked against "
            "other people's edits; nothing was saved. Reload the page and make your change again."
        ),
        "invalid": (
            "The version sent with this save is not a whole number, so it could not be checked against "
            "other people's edits; nothing was saved. Reload the page and make your change again."
        ),
        "min_value": "The version sent with this save must be %(limit_value)s or more; reload the page.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
