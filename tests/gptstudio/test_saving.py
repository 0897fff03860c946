"""The strict-save rule (gptstudio/saving.py): a draft with errors stays unless the caller asked
for strict, in which case nothing is written and the findings say why."""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model

from gptstudio.errors import StrictSaveRefused
from gptstudio.findings import Finding, Severity
from gptstudio.saving import save_validated

pytestmark = pytest.mark.django_db

WARNING = Finding(Severity.WARNING, "gpt.starters.hidden", "later", "/b", None, None, "")
ERROR = Finding(Severity.ERROR, "gpt.name.missing", "first", "/a", None, None, "")


@dataclass
class Report:
    findings: list = field(default_factory=list)

    @property
    def valid(self):
        return not any(f.severity == Severity.ERROR for f in self.findings)


def save_user():
    return get_user_model().objects.create(username="saved")


def test_a_result_with_errors_is_kept_as_a_draft_without_strict():
    user, report = save_validated(save_user, report_of=lambda u: Report([ERROR]), strict=False)
    assert get_user_model().objects.filter(pk=user.pk).exists() and report.findings == [ERROR]


def test_strict_rolls_back_a_result_with_errors_and_reports_its_findings_errors_first():
    with pytest.raises(StrictSaveRefused) as refused:
        save_validated(save_user, report_of=lambda u: Report([WARNING, ERROR]), strict=True)
    assert not get_user_model().objects.filter(username="saved").exists()
    assert refused.value.findings == [ERROR, WARNING]
    assert str(refused.value) == "Not saved: strict mode refuses a result with 1 validation error(s)."


def test_strict_keeps_a_result_without_errors():
    user, report = save_validated(save_user, report_of=lambda u: Report([WARNING]), strict=True)
    assert get_user_model().objects.filter(pk=user.pk).exists() and report.valid
