"""The style guide (/styleguide/) shows every part of the design system, to staff only."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from gptstudio.templatetags.icons import sprite_icons
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("styleguide"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_signed_in_users_who_are_not_staff_are_refused(client):
    client.force_login(UserFactory())
    response = client.get(reverse("styleguide"))
    assert response.status_code == 403
    assert "The style guide is for staff." in response.content.decode()


def test_staff_see_every_component_and_every_vendored_icon(client):
    client.force_login(UserFactory(is_staff=True))
    html = client.get(reverse("styleguide")).content.decode()
    parts = ('class="primary"', 'class="danger"', 'class="quiet"', "data-file-drop", 'class="badge ok"', "empty-title")
    assert [part for part in parts if part not in html] == []
    assert len(sprite_icons()) >= 20
    for name in sprite_icons():
        assert f"sprite.svg#{name}" in html


def test_an_icon_is_decorative_unless_labelled_and_an_unknown_name_fails():
    render = lambda source: Template("{% load icons %}" + source).render(Context())  # noqa: E731
    assert 'aria-hidden="true"' in render('{% icon "plus" %}')
    labelled = render('{% icon "trash" label="Delete" %}')
    assert 'role="img" aria-label="Delete"' in labelled and "aria-hidden" not in labelled
    with pytest.raises(TemplateSyntaxError, match="No icon 'no-such-icon'"):
        render('{% icon "no-such-icon" %}')
