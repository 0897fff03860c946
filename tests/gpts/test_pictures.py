"""The profile picture check (gpts/pictures.py): real image types only, within byte and pixel caps."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gpts.pictures import profile_picture_check, profile_picture_help
from gptstudio import limits


def image_upload(name="me.png", size=(64, 64), image_format="PNG", mode="RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size, "#0b57d0").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`x`height` (what a decompression bomb looks like)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def refusal(upload) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        profile_picture_check(upload)
    return caught.value


@pytest.mark.parametrize(
    ("name", "image_format", "mode"),
    [
        ("me.png", "PNG", "RGBA"),
        ("me.jpg", "JPEG", "RGB"),
        ("me.JPEG", "JPEG", "RGB"),
        ("me.gif", "GIF", "P"),
        ("me.webp", "WEBP", "RGB"),
    ],
)
def test_png_jpeg_gif_and_webp_pictures_are_accepted(name, image_format, mode):
    upload = image_upload(name, image_format=image_format, mode=mode)
    profile_picture_check(upload)
    assert upload.tell() == 0  # left ready to be stored


def test_a_text_file_named_png_is_refused():
    error = refusal(SimpleUploadedFile("me.png", b"this is not an image at all"))
    assert error.code == "profile_picture.not_image"
    assert "“me.png” is not a readable image" in error.message


def test_an_image_of_another_type_named_png_is_refused():
    error = refusal(image_upload("me.png", image_format="BMP"))
    assert error.code == "profile_picture.not_image"


def test_a_truncated_png_is_refused():
    whole = image_upload(size=(200, 200)).read()
    error = refusal(SimpleUploadedFile("me.png", whole[: len(whole) // 2]))
    assert error.code == "profile_picture.not_image"


def test_a_name_chatgpt_does_not_take_is_refused_before_reading():
    error = refusal(image_upload("me.svg"))
    assert error.code == "profile_picture.extension"
    assert "PNG, JPEG, GIF or WebP" in error.message


def test_a_4000_pixel_picture_is_refused_with_the_limit_and_the_recommended_size():
    error = refusal(image_upload(size=(4000, 4000)))
    assert error.code == "profile_picture.too_big_dimensions"
    assert error.message.startswith("The picture is 4000×4000 pixels; the limit is 2048×2048.")
    assert "512×512" in error.message


def test_the_largest_allowed_side_is_accepted():
    side = limits.STUDIO_PROFILE_PICTURE_MAX_SIDE
    profile_picture_check(image_upload(size=(side, side // 2)))


def test_a_header_claiming_a_huge_picture_is_refused_without_decoding_it():
    error = refusal(SimpleUploadedFile("bomb.png", png_header_only(30_000, 30_000)))
    assert error.code == "profile_picture.too_big_dimensions"


def test_a_picture_over_the_byte_cap_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(limits, "STUDIO_PROFILE_PICTURE_MAX_BYTES", 1000)
    upload = image_upload(size=(300, 300), image_format="BMP", name="me.png")  # 270 kB
    error = refusal(upload)
    assert error.code == "profile_picture.too_large"
    assert "the limit is 1000\xa0bytes" in error.message


def test_the_hint_names_the_recommended_size_and_the_caps():
    hint = profile_picture_help()
    assert "512×512 pixels" in hint and "4.0\xa0MB" in hint and "2048×2048" in hint


def test_the_gpt_service_checks_every_uploaded_picture(gpt, user):
    """The one write path runs the check, so the admin (or any later interface) cannot skip it."""
    from gpts.services import gpt_update

    with pytest.raises(ValidationError) as caught:
        gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, profile_picture=image_upload(size=(4000, 40)))
    assert "profile_picture" in caught.value.message_dict
    gpt.refresh_from_db()
    assert (gpt.version, gpt.profile_picture.name) == (1, "")
    gpt_update(gpt=gpt, actor=user, expected_version=1, profile_picture=image_upload(size=(512, 512)))
    gpt.refresh_from_db()
    assert gpt.profile_picture.name.endswith(".png")
    assert gpt.version == 2


def test_the_admin_shows_a_refused_picture_on_its_field(admin_client, gpt):
    from django.urls import reverse

    from tests.gpts.test_admin import form_errors, gpt_form

    data = {**gpt_form(gpt), "profile_picture": image_upload(size=(4000, 40))}
    response = admin_client.post(reverse("admin:gpts_gpt_change", args=[gpt.pk]), data)
    assert response.status_code == 200
    assert list(form_errors(response)) == ["profile_picture"]
    assert "4000" in form_errors(response)["profile_picture"][0]
    gpt.refresh_from_db()
    assert (gpt.version, gpt.profile_picture.name) == (1, "")
