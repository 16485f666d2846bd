"""Checks of the photos a customer uploads with a reship request: real images (decoded
by Pillow, not trusted by their name or content type), in a format phones produce and
browsers show, few and small enough to store."""
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from pawpact.storefront.errors import ReshipRefused

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# HEIC (iPhone photos) has no decoder in Pillow; its ISO box header is recognised instead.
HEIC_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"hevc")
MAX_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded


def photos_check(photos: list[UploadedFile], *, max_count: int, max_bytes: int) -> list[tuple[UploadedFile, str]]:
    """Each photo with the extension its content proves; refuses (ReshipRefused) otherwise."""
    if len(photos) > max_count:
        raise ReshipRefused(_("Add at most %(count)d photos.") % {"count": max_count},
                            fields={"photos": [_("Too many photos.")]})  # fmt: skip
    checked = []
    for photo in photos:
        if not photo.size:
            raise ReshipRefused(_("A photo is empty."), fields={"photos": [_("Empty file.")]})
        if photo.size > max_bytes:
            raise ReshipRefused(_("Each photo may be at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
                                fields={"photos": [_("File too large.")]})  # fmt: skip
        extension = _image_extension(photo)
        if extension is None:
            raise ReshipRefused(_("Photos must be JPEG, PNG, WebP or HEIC images."),
                                fields={"photos": [_("Not a photo.")]})  # fmt: skip
        checked.append((photo, extension))
    return checked


def _image_extension(photo: UploadedFile) -> str | None:
    photo.seek(0)
    head = photo.read(12)
    photo.seek(0)
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return ".heic"
    try:
        with Image.open(photo) as image:
            if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
                return None
            image.verify()
            return FORMATS[image.format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        photo.seek(0)
