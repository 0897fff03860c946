"""Uploads are served to the members of their workspace only, DEBUG or not."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from gpts import services
from gpts.models import GPT
from tests.factories import UserFactory


@pytest.fixture
def knowledge(gpt, user):
    return services.knowledge_file_add(
        gpt=GPT.objects.get(pk=gpt.pk), actor=user, upload=SimpleUploadedFile("notes.html", b"<script>x</script>")
    )


@pytest.mark.parametrize("debug", [True, False])
def test_a_knowledge_file_is_served_only_to_a_member(client, settings, gpt, user, knowledge, debug):
    settings.DEBUG = debug
    url = f"/media/{knowledge.file.name}"
    assert client.get(url).status_code == 404  # Anonymous.
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # Signed in, not a member.
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>x</script>"
    assert response["Content-Disposition"].startswith('attachment; filename="notes.html"')
    assert response["Cache-Control"] == "private"  # A shared cache never keeps a member's file.


def test_a_profile_picture_is_served_inline_to_members(client, gpt, user):
    name = default_storage.save("profile_pictures/2026/12/p.png", ContentFile(b"\x89PNG fake"))
    GPT.objects.filter(pk=gpt.pk).update(profile_picture=name)
    assert client.get(f"/media/{name}").status_code == 404
    client.force_login(user)
    response = client.get(f"/media/{name}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["Cache-Control"] == "private"


def test_a_stored_name_no_gpt_uses_is_404_even_for_members(client, user, gpt):
    default_storage.save("knowledge/ab/orphan", ContentFile(b"left behind"))
    client.force_login(user)
    assert client.get("/media/knowledge/ab/orphan").status_code == 404
    assert client.get("/media/../settings.py").status_code == 404
