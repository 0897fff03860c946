"""Template filters for the paste page."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def exact_text(value: str) -> str:
    """Escape text so the browser's DOM holds it *exactly*: HTML parsing turns CR and CRLF into LF,
    so carriage returns are written as character references (which it keeps)."""
    return mark_safe(escape(value).replace("\r", "&#13;"))  # noqa: S308 (escaped first)
