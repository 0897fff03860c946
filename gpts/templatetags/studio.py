"""Small template helpers for the studio pages."""

from django import template

from gptstudio.findings import LIKELY_NOTE

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` — a dict lookup with a variable key (None when absent)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def diff_class(line: str) -> str:
    """CSS class of a unified-diff line."""
    if line.startswith(("+++", "---")):
        return "hunk"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return ""


@register.filter
def severity_count(findings, severity: str) -> int:
    """How many of `findings` have this severity ("error", "warning", "info")."""
    return sum(1 for finding in findings or () if finding.severity == severity)


@register.filter
def pretty_value(value) -> str:
    """A document value for reading: booleans as On/Off, lists one per line, dicts as key: value."""
    if isinstance(value, bool):
        return "On" if value else "Off"
    if value in ("", None):
        return "(empty)"
    if isinstance(value, list):
        return "\n".join(pretty_value(item) if not isinstance(item, str) else item for item in value) or "(none)"
    if isinstance(value, dict):
        return "\n".join(f"{key}: {pretty_value(item)}" for key, item in value.items())
    return str(value)


@register.filter
def key_label(key: str) -> str:
    """`conversation_starters` → `Conversation starters`."""
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def builder_reported_count(findings) -> int:
    """How many of `findings` rest on builders' reports (the panel's legend is shown when any do)."""
    return sum(1 for finding in findings or () if finding.builder_reported)


@register.simple_tag
def likely_note() -> str:
    """The legend of findings marked as reported by builders (the registry's wording)."""
    return LIKELY_NOTE


# The GPT editor's element for each top-level field of a GPT finding's pointer (gpts/gpt_editor.html):
# the checks panel links a finding there and static/js/findings.js focuses it.
EDITOR_FIELD_IDS = {
    "name": "id_name",
    "description": "id_description",
    "instructions": "id_instructions",
    "conversation_starters": "starters-field",
    "profile_picture": "id_profile_picture",
    "knowledge": "knowledge-heading",
    "recommended_model": "id_recommended_model",
    "category": "id_category",
    "visibility": "id_visibility",
    "actions": "actions-heading",
}


@register.filter
def editor_field_id(pointer: str) -> str:
    """The id of the editor element a GPT finding's pointer names, or "" (`/name` → `id_name`,
    `/conversation_starters/4` → `starter-5`, the fifth starter's input)."""
    parts = (pointer or "").split("/")[1:]
    if not parts:
        return ""
    if parts[0] == "conversation_starters" and len(parts) > 1 and parts[1].isdigit():
        return f"starter-{int(parts[1]) + 1}"
    return EDITOR_FIELD_IDS.get(parts[0], "")
