"""Rows and uploads for the pet archive, guarantee and adoption tests (call inside the shop's schema)."""
import io
from datetime import UTC, date, datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from pawpact.core.clock import FixedClock
from pawpact.customers.enums import Species
from pawpact.customers.models import Pet

# 20 March 2026, noon in Beijing.
TODAY = date(2026, 3, 20)
CLOCK = FixedClock(datetime(2026, 3, 20, 4, 0, tzinfo=UTC))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake but well-started\n"


def png(name: str = "photo.png", size: int | None = None) -> SimpleUploadedFile:
    body = PNG if size is None else PNG + b"\x00" * (size - len(PNG))
    return SimpleUploadedFile(name, body, content_type="image/png")


def pdf(name: str = "vet.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def script_as_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")


def shop_pet(name: str = "Snow") -> Pet:
    """A shop's own pet, waiting for a family."""
    return Pet.objects.create(name=name, species=Species.CAT, breed="British Shorthair", birthday=date(2025, 11, 1))


def image_stream() -> io.BytesIO:
    return io.BytesIO(PNG)
