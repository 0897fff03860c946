"""The profile picture check. The GPT services run it on every uploaded picture (so the admin and
any later interface get it); the editor's form also runs it as a field validator, so the message
appears beside the upload control before anything else is checked.

ChatGPT takes PNG, JPEG, GIF or WebP and scales the picture to a 512x512 square itself
(GPT_EDITOR.md §1.1). GPT Studio checks what the file really is with Pillow (not its name or the
browser's content type), and caps its bytes and dimensions (gptstudio/limits.py)."""

from __future__ import annotations

import warnings
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

from gptstudio import limits

# Pillow's format name -> the file name extensions that may carry it.
PROFILE_PICTURE_FORMATS = {
    "PNG": ("png",),
    "JPEG": ("jpg", "jpeg"),
    "GIF": ("gif",),
    "WEBP": ("webp",),
}
PROFILE_PICTURE_EXTENSIONS = tuple(ext for exts in PROFILE_PICTURE_FORMATS.values() for ext in exts)
PROFILE_PICTURE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


def profile_picture_help() -> str:
    """The hint shown beside the upload control."""
    side = limits.GPT_PROFILE_PICTURE_SIZE.value
    return (
        f"Recommended: a square image of {side}×{side} pixels (ChatGPT crops and scales it to that). "
        f"PNG, JPEG, GIF or WebP, up to {filesizeformat(limits.STUDIO_PROFILE_PICTURE_MAX_BYTES)} and "
        f"{limits.STUDIO_PROFILE_PICTURE_MAX_SIDE}×{limits.STUDIO_PROFILE_PICTURE_MAX_SIDE} pixels."
    )


def profile_picture_check(upload) -> None:
    """Raise ValidationError (code `profile_picture.*`) unless `upload` is a PNG, JPEG, GIF or WebP
    image within the byte and dimension caps. Reads only the header and verifies the file's
    structure; the file position is back at the start afterwards."""
    name = PurePosixPath(getattr(upload, "name", "") or "").name
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension not in PROFILE_PICTURE_EXTENSIONS:
        raise ValidationError(
            f"“{name}” is not a PNG, JPEG, GIF or WebP file; ChatGPT only takes those for a profile picture.",
            code="profile_picture.extension",
        )
    max_bytes = limits.STUDIO_PROFILE_PICTURE_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            f"The picture is {filesizeformat(upload.size)}; the limit is {filesizeformat(max_bytes)}. "
            f"ChatGPT shows it at {limits.GPT_PROFILE_PICTURE_SIZE.value}×{limits.GPT_PROFILE_PICTURE_SIZE.value} "
            "pixels, so scale it down (or save it as JPEG or WebP).",
            code="profile_picture.too_large",
        )
    not_an_image = ValidationError(
        f"“{name}” is not a readable image (its content is not PNG, JPEG, GIF or WebP, whatever its name says).",
        code="profile_picture.not_image",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow only warns below twice its pixel cap; a picture that big is refused either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format, (width, height) = image.format, image.size
                if image_format not in PROFILE_PICTURE_FORMATS:
                    raise not_an_image
                _check_dimensions(width, height)
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        side = limits.STUDIO_PROFILE_PICTURE_MAX_SIDE
        raise ValidationError(
            f"The picture has tens of millions of pixels; the limit is {side}×{side}. Scale it down to "
            f"{limits.GPT_PROFILE_PICTURE_SIZE.value}×{limits.GPT_PROFILE_PICTURE_SIZE.value}.",
            code="profile_picture.too_big_dimensions",
        ) from None
    except Exception:  # Pillow's decoders raise many types (OSError, SyntaxError, struct.error ...)
        raise not_an_image from None
    finally:
        upload.seek(0)


def _check_dimensions(width: int, height: int) -> None:
    side = limits.STUDIO_PROFILE_PICTURE_MAX_SIDE
    if width > side or height > side:
        recommended = limits.GPT_PROFILE_PICTURE_SIZE.value
        raise ValidationError(
            f"The picture is {width}×{height} pixels; the limit is {side}×{side}. ChatGPT shows it at "
            f"{recommended}×{recommended}, so scale it down to that.",
            code="profile_picture.too_big_dimensions",
        )
