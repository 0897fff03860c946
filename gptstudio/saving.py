"""The strict-save rule, shared by the services' callers: a save and its validation in one
transaction, kept as a draft when it has errors, or rolled back when the caller asked for strict.

Drafts with errors are a feature (GPT Studio keeps work ChatGPT would refuse, with findings), so
the service functions themselves always save; whether a result with errors may stay is the
caller's choice (`?strict=true` in the API), decided here rather than in each interface.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from .errors import StrictSaveRefused
from .findings import sort_findings


def save_validated(save: Callable, *, report_of: Callable, strict: bool):
    """Run `save()` (a service call) and `report_of(instance)` in one transaction; return
    `(instance, report)`. With `strict`, a report that is not valid rolls the save back and raises
    `StrictSaveRefused` with the report's findings (`all_findings` when the report has them)."""
    with transaction.atomic():
        instance = save()
        report = report_of(instance)
        if strict and not report.valid:
            findings = getattr(report, "all_findings", None) or report.findings
            raise StrictSaveRefused(sort_findings(findings))
    return instance, report
