"""How findings read on the pages: what to do first, then what is wrong; the rule code and JSON pointer
small and copyable; the builders' note once per panel; a GPT finding links to its field in the editor."""

import re

import pytest
from django.urls import reverse

from gpts.templatetags.studio import editor_field_id
from gptstudio import limits
from gptstudio.findings import LIKELY_NOTE, RULES
from tests.factories import WEATHER_SCHEMA, make_action, make_gpt

# Two servers on one host: `action.server.multiple`, a rule resting on builders' reports.
TWO_SERVERS_SCHEMA = WEATHER_SCHEMA.replace(
    '"servers": [{"url": "https://api.weather.example.com"}]',
    '"servers": [{"url": "https://api.weather.example.com"}, {"url": "https://api.weather.example.com/v2"}]',
)


def edit_url(gpt):
    return reverse("gpts:gpt_edit", args=[gpt.workspace.slug, gpt.slug])


def finding_items(html: str) -> dict[str, str]:
    """Each finding's <li> markup by its rule code (the first finding of each code)."""
    items = {}
    for match in re.finditer(r'<li class="finding [^"]*" data-code="([^"]+)">(.*?)</li>', html, re.S):
        items.setdefault(match.group(1), match.group(2))
    return items


def section(item: str, css_class: str) -> str:
    match = re.search(rf'<p class="{css_class}">(.*?)</p>', item, re.S)
    assert match, f"no {css_class} in {item}"
    return match.group(1)


def test_a_gpt_finding_says_what_to_do_first_and_links_to_its_field(client, user, gpt):
    gpt.name = "x" * (limits.GPT_NAME_MAX_LENGTH.value + 1)
    gpt.save(update_fields=["name"])
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()

    item = finding_items(html)["gpt.name.too_long"]
    fix = section(item, "finding-fix")
    assert '<a class="finding-field" href="#id_name" data-focus-field="id_name">' in fix
    assert "Shorten the name to 50 characters or fewer." in fix
    assert "/rules/" not in fix  # the finding's own link goes to the field, not away
    assert "The name has 51 characters" in section(item, "finding-message")
    assert item.index('class="finding-fix"') < item.index('class="finding-message"') < item.index('"finding-meta"')
    meta = section(item, "finding-meta")
    assert '<code class="finding-code">gpt.name.too_long</code>' in meta
    assert '<code class="finding-pointer">/name</code>' in meta
    assert 'data-copy-text="/name"' in meta and 'data-copy-text="gpt.name.too_long"' in meta
    assert f'href="{reverse("rules")}#gpt.name.too_long">rule</a>' in meta  # still there, secondary
    assert 'id="id_name"' in html


def test_every_gpt_finding_link_names_an_element_of_the_editor(client, user, workspace):
    gpt = make_gpt(
        workspace=workspace,
        actor=user,
        name="x" * 60,
        description="d" * 400,
        conversation_starters=[f"Starter {n}" for n in range(6)],
        visibility="gpt_store",
        recommended_model="GPT-5 Pro",
    )
    make_action(gpt, actor=user)
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()

    targets = re.findall(r'data-focus-field="([^"]+)"', html)
    codes = set(finding_items(html))
    assert {"gpt.name.too_long", "gpt.description.too_long", "gpt.starters.hidden", "gpt.category.missing"} <= codes
    assert len(targets) >= 5
    for target in targets:
        assert f'id="{target}"' in html, target
    assert 'data-focus-field="starter-5"' in html  # the first starter not shown


def test_the_builders_note_is_said_once_above_the_panel_with_a_marker_per_finding(client, user, gpt):
    gpt.recommended_model = "GPT-5 Pro"  # gpt.model.no_actions: likely
    gpt.save(update_fields=["recommended_model"])
    make_action(gpt, actor=user, schema_text=TWO_SERVERS_SCHEMA)  # action.server.multiple: likely
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()

    items = finding_items(html)
    reported = [code for code in items if RULES[code].confidence == "likely"]
    assert {"gpt.model.no_actions", "action.server.multiple"} <= set(reported)
    assert html.count(LIKELY_NOTE) == 1
    assert html.count('class="findings-legend"') == 1
    assert f"({len(reported)} findings below)" in html
    panel = html[html.index('id="findings-heading"') :]
    assert panel.index('class="findings-legend"') < panel.index('class="findings"')
    for code, item in items.items():
        assert ('class="finding-reported"' in item) == (code in reported), code


def test_a_panel_without_such_findings_has_no_legend(client, user, gpt):
    gpt.name = "x" * 60
    gpt.save(update_fields=["name"])
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()
    assert "gpt.name.too_long" in html
    assert 'class="findings-legend"' not in html and LIKELY_NOTE not in html


def test_the_action_editor_lists_the_fix_first_and_the_legend_once(client, user, gpt):
    action = make_action(gpt, actor=user, schema_text=TWO_SERVERS_SCHEMA)
    client.force_login(user)
    html = client.get(reverse("actions:action_edit", args=[gpt.workspace.slug, gpt.slug, action.slug])).content.decode()

    item = finding_items(html)["action.server.multiple"]
    assert RULES["action.server.multiple"].fix in section(item, "finding-fix")
    assert 'class="finding-reported"' in section(item, "finding-message")
    assert '<code class="finding-pointer">/servers/1</code>' in section(item, "finding-meta")
    assert html.count(LIKELY_NOTE) == 1
    assert "(1 finding below)" in html


def test_the_paste_page_labels_blocking_findings_and_leads_with_the_fix(client, user, gpt):
    gpt.instructions = "i" * (limits.GPT_INSTRUCTIONS_MAX_LENGTH.value + 1)
    gpt.save(update_fields=["instructions"])
    client.force_login(user)
    html = client.get(reverse("gpts_export:paste", args=[gpt.workspace.slug, gpt.slug])).content.decode()

    fix = section(finding_items(html)["gpt.instructions.too_long"], "finding-fix")
    assert "Blocks publishing:" in fix
    assert "Shorten the instructions to 8,000 characters or fewer" in fix
    assert "data-focus-field" not in fix  # only the editor's panel links to fields


@pytest.mark.parametrize(
    ("pointer", "element_id"),
    [
        ("/name", "id_name"),
        ("/instructions", "id_instructions"),
        ("/conversation_starters/4", "starter-5"),
        ("/conversation_starters", "starters-field"),
        ("/actions/0/privacy_policy_url", "actions-heading"),
        ("/knowledge/3", "knowledge-heading"),
        ("", ""),
        ("/unknown", ""),
    ],
)
def test_a_pointer_names_its_editor_element(pointer, element_id):
    assert editor_field_id(pointer) == element_id
