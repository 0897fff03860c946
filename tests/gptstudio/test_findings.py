"""The findings registry: policies that hold for every rule, enforced in one place."""

import pytest

# Each of these modules registers its rules on import; all of them are loaded, so that every rule is seen.
import actions.schema  # noqa: F401
import gpts.bundle
import gpts.document.read
import gpts.importers
import gpts.validation  # noqa: F401
from gptstudio import limits
from gptstudio.findings import FIX_VERBS, RULES, Finding, Severity, make_finding, register


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_likely_rule_marks_its_findings_as_reported_by_builders_and_leaves_the_message_alone(code):
    finding = make_finding(code, "Something is wrong here.")
    assert finding.message == "Something is wrong here."
    assert finding.builder_reported == (RULES[code].confidence == "likely")
    assert finding.as_dict()["builder_reported"] == finding.builder_reported


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_says_what_to_do_as_an_instruction(code):
    """The fix leads every finding in the UI: one sentence that starts with an imperative verb (FIX_VERBS,
    so "The name is too long" or "You could…" fail) and ends like a sentence."""
    fix = RULES[code].fix
    assert fix.split()[0].lower() in FIX_VERBS, fix
    assert fix[0].isupper() and fix.endswith("."), fix
    assert make_finding(code, "x").fix == fix


def test_a_rule_without_a_fix_cannot_be_registered():
    with pytest.raises(TypeError, match="fix"):
        register("test.no_fix", Severity.INFO, "x", chatgpt_behaviour="x", source="x", confidence="confirmed")
    assert "test.no_fix" not in RULES


def test_a_rule_enforcing_a_limit_takes_its_source_and_confidence_and_one_without_either_is_refused(monkeypatch):
    monkeypatch.setattr("actions.schema.findings.RULES", dict(RULES))
    from actions.schema import findings

    limit = limits.GPT_NAME_MAX_LENGTH
    rule = findings.register("test.limited", Severity.ERROR, "x", chatgpt_behaviour="x", fix="Shorten it.", limit=limit)
    assert (rule.source, rule.confidence) == (limit.source, limit.confidence)
    with pytest.raises(ValueError, match="source and a confidence"):
        findings.register("test.unsourced", Severity.INFO, "x", chatgpt_behaviour="x", fix="Shorten it.")


def test_a_finding_read_back_from_its_dict_is_the_same_finding():
    finding = make_finding("gpt.name.too_long", "The name has 51 characters.", pointer="/name", hint="h")
    data = finding.as_dict()
    assert data["fix"] == "Shorten the name to 50 characters or fewer."
    assert Finding.from_dict(data) == finding


def test_likely_rules_exist_in_every_area_that_rests_on_builders_reports():
    likely = {code.split(".", 1)[0] for code, rule in RULES.items() if rule.confidence == "likely"}
    assert {"schema", "action", "gpt"} <= likely


def test_an_unconfirmed_rule_cannot_be_an_error():
    with pytest.raises(ValueError, match="unconfirmed"):
        register(
            "test.never", Severity.ERROR, "x", chatgpt_behaviour="x", source="x", confidence="unconfirmed", fix="Fix."
        )
    assert "test.never" not in RULES
