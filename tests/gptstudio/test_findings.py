"""The findings registry: policies that hold for every rule, enforced in one place."""

import pytest

# Each of these modules registers its rules on import; all of them are loaded, so that every rule is seen.
import actions.schema  # noqa: F401
import gpts.bundle
import gpts.document.read
import gpts.importers
import gpts.validation  # noqa: F401
from gptstudio.findings import LIKELY_NOTE, RULES, Severity, make_finding, register


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_likely_rule_says_its_fact_is_reported_by_builders(code):
    finding = make_finding(code, "Something is wrong here.")
    if RULES[code].confidence == "likely":
        assert finding.message == f"Something is wrong here. {LIKELY_NOTE}"
    else:
        assert finding.message == "Something is wrong here."


def test_likely_rules_exist_in_every_area_that_rests_on_builders_reports():
    likely = {code.split(".", 1)[0] for code, rule in RULES.items() if rule.confidence == "likely"}
    assert {"schema", "action", "gpt"} <= likely


def test_an_unconfirmed_rule_cannot_be_an_error():
    with pytest.raises(ValueError, match="unconfirmed"):
        register("test.never", Severity.ERROR, "x", chatgpt_behaviour="x", source="x", confidence="unconfirmed")
    assert "test.never" not in RULES
