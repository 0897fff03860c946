"""Small template helpers for the studio pages."""

from django import template

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
