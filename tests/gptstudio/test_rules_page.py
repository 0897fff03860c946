"""The rules page and docs/RULES.md are generated from the registry."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gptstudio.findings import RULES
from gptstudio.management.commands.write_rules_doc import RULES_DOC
from gptstudio.rules_doc import rules_markdown


def test_committed_rules_doc_is_up_to_date():
    assert RULES_DOC.read_text(encoding="utf-8") == rules_markdown(), "run `manage.py write_rules_doc`"


def test_rules_doc_lists_every_rule_and_limit():
    text = rules_markdown()
    assert all(f"| `{code}` |" in text for code in RULES)
    assert "| `ACTION_OPERATIONS_MAX` | 30 |" in text


def test_write_rules_doc_writes_and_checks(tmp_path):
    out = tmp_path / "RULES.md"
    call_command("write_rules_doc", "--out", str(out), stdout=io.StringIO())
    assert out.read_text(encoding="utf-8") == rules_markdown()
    call_command("write_rules_doc", "--out", str(out), "--check", stdout=io.StringIO())
    out.write_text("stale", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("write_rules_doc", "--out", str(out), "--check", stdout=io.StringIO())


@pytest.mark.django_db
def test_rules_page_shows_every_rule_without_login(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("rules"))
    assert response.status_code == 200
    page = response.content.decode()
    assert all(f'id="{code}"' in page for code in RULES)
    assert "Could not find a valid URL in <code>servers</code>" in page
    assert "<strong>error</strong>" in page
    assert "<title>Rules · GPT Studio</title>" in page
    assert "ACTION_OPERATIONS_MAX" in page


@pytest.mark.django_db
def test_rules_page_refuses_writes(client):
    assert client.post(reverse("rules")).status_code == 405


def test_inline_code_escapes_before_adding_tags():
    from gptstudio.templatetags.rules_text import inline_code

    assert (
        inline_code("use `<b>` and **bold** *em*") == "use <code>&lt;b&gt;</code> and <strong>bold</strong> <em>em</em>"
    )
