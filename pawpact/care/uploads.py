"""Checks on files customers and staff upload to the pet archive: the declared type, the
extension and the file's first bytes must agree, so a renamed script is not stored as a photo."""
from __future__ import annotations

import os
from collections.abc import Sequence

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
IMAGE_SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".webp": (b"RIFF",),
}
PDF_SIGNATURES = {".pdf": (b"%PDF-",)}


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head


def upload_errors(upload, *, allow_pdf: bool = False) -> list[str]:
    """Why this upload is refused (empty list when it is a JPEG/PNG/WebP image, or a PDF if allowed, ≤ 8 MB)."""
    signatures = {**IMAGE_SIGNATURES, **(PDF_SIGNATURES if allow_pdf else {})}
    extension = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    kinds = _("JPEG, PNG, WebP or PDF") if allow_pdf else _("JPEG, PNG or WebP")
    if extension not in signatures or not _head(upload).startswith(signatures[extension]):
        return [_("Upload a %(kinds)s file.") % {"kinds": kinds}]
    if not upload.size:
        return [_("The file is empty.")]
    if upload.size > MAX_UPLOAD_BYTES:
        return [_("The file is larger than 8 MB.")]
    return []


def uploads_errors(uploads: Sequence, *, limit: int) -> list[str]:
    if len(uploads) > limit:
        return [_("At most %(n)s files.") % {"n": limit}]
    for upload in uploads:
        errors = upload_errors(upload)
        if errors:
            return errors
    return []
