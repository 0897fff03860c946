"""`{% icon "name" %}`: one icon from the vendored Heroicons sprite (static/vendor/heroicons/,
built by scripts/vendor.sh from the names listed there)."""

import re
from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()
SPRITE = "vendor/heroicons/sprite.svg"
LABELLED = '<svg class="{}" role="img" aria-label="{}"><use href="{}"></use></svg>'
DECORATIVE = '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>'


@cache
def sprite_icons() -> frozenset[str]:
    path = finders.find(SPRITE) or str(settings.BASE_DIR / "static" / SPRITE)
    with open(path, encoding="utf-8") as sprite:
        return frozenset(re.findall(r'<symbol id="([^"]+)"', sprite.read()))


@register.simple_tag
def icon(name: str, label: str = "", css: str = ""):
    """Decorative (hidden from screen readers) unless a label says what the icon alone means. An
    unknown name fails loudly: the sprite holds only the icons vendored on purpose."""
    if name not in sprite_icons():
        raise template.TemplateSyntaxError(f"No icon {name!r} in {SPRITE}: add it to scripts/vendor.sh")
    classes = f"icon {css}".strip()
    href = f"{static(SPRITE)}#{name}"
    if label:
        return format_html(LABELLED, classes, label, href)
    return format_html(DECORATIVE, classes, href)
