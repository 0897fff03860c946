from gpts.diff import document_diff
from gpts.services import gpt_update
from tests.factories import WEATHER_SCHEMA, make_action


def test_diff_between_revisions_lists_field_text_and_action_changes(gpt, user):
    make_action(gpt, actor=user)
    gpt.refresh_from_db()
    gpt_update(
        gpt=gpt,
        actor=user,
        expected_version=gpt.version,
        name="Weather Pal",
        instructions="Line one\nLine two",
        conversation_starters=["Hi", "Snow?"],
    )
    old = gpt.revisions.get(number=1).document
    new = gpt.revisions.first().document
    diff = document_diff(old, new)
    changed = {c.field for c in diff.fields}
    assert changed == {"name", "instructions", "conversation_starters"}
    assert "+Line two" in diff.text_diffs["instructions"]
    assert "-Rain?" in diff.text_diffs["conversation_starters"]
    assert [(a.name, a.status) for a in diff.actions] == [("Weather", "added")]
    assert not diff.is_empty


def test_identical_documents_have_an_empty_diff(gpt):
    document = gpt.revisions.first().document
    assert document_diff(document, document).is_empty


def test_schema_change_is_a_changed_action_with_a_text_diff(gpt, user):
    action = make_action(gpt, actor=user)
    old = gpt.revisions.first().document
    from actions.services import action_update

    action_update(
        action=action, actor=user, expected_version=1, schema_text=WEATHER_SCHEMA.replace("Current weather", "Now")
    )
    new = gpt.revisions.first().document
    [action_change] = document_diff(old, new).actions
    assert action_change.status == "changed"
    assert any(line.startswith("+") and "Now" in line for line in action_change.schema_diff)
