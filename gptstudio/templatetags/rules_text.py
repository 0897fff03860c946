"""`inline_code`: rule texts use `backticks` for code (as in docs/RULES.md); show them as <code>."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_EMPHASIS = re.compile(r"\*([^*]+)\*")


@register.filter
def inline_code(text) -> str:
    escaped = str(conditional_escape(text))
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
    return mark_safe(_EMPHASIS.sub(r"<em>\1</em>", escaped))  # noqa: S308 (escaped above; only our tags added)
