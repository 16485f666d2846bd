"""Native date/time pickers accept only ISO values: a page in Chinese must still fill them
as 2026-02-01 (not 2026/02/01), or the browser shows them empty and saving erases the date."""
import ast
import re
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.utils import translation
from django_tenants.utils import schema_context

from pawpact.core.widgets import IsoDateInput, IsoTimeInput
from pawpact.customers.models import Pet
from pawpact.workspace.care_forms import RescheduleForm
from tests.care.pet_factories import shop_pet
from tests.workspace.conftest import owner_client  # noqa: F401

ROOT = Path(__file__).resolve().parents[2] / "pawpact"


def _value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    found = re.search(r'value="([^"]*)"', tag)
    return found.group(1) if found else ""


def test_a_chinese_pet_profile_fills_iso_dates_and_saving_keeps_them(shop, owner_client):  # noqa: F811
    with schema_context(shop.schema_name):
        pet = shop_pet()
        Pet.objects.filter(pk=pet.pk).update(adoption_date=date(2026, 2, 1))
    url = f"/manage/pets/archive/{pet.uuid}/"
    page = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in page or "宠物" in page
    birthday, adopted = _value(page, "birthday"), _value(page, "adoption_date")
    assert (birthday, adopted) == ("2025-11-01", "2026-02-01")
    # The browser posts back what the inputs hold; only the allergies were changed.
    saved = owner_client.post(url, {"form": "profile", "sex": "unknown", "birthday": birthday, "adoption_date": adopted,
                                    "allergies": "Chicken", "microchip": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert saved.status_code == 302
    with schema_context(shop.schema_name):
        pet.refresh_from_db()
    assert (pet.birthday, pet.adoption_date, pet.allergies) == (date(2025, 11, 1), date(2026, 2, 1), "Chicken")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_reschedule_form_fills_an_iso_day_and_time_in_every_language(language):
    with translation.override(language):
        html = str(RescheduleForm(initial={"day": date(2026, 2, 1), "at": "09:30"})["day"])
        assert 'type="date"' in html and 'value="2026-02-01"' in html


def test_every_date_or_time_widget_in_the_project_is_an_iso_one():
    # Plain DateInput/TimeInput widgets render the language's format; only the ISO ones may be used.
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name == "widgets.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"DateInput", "TimeInput", "DateTimeInput"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
    assert issubclass(IsoDateInput, forms.DateInput) and issubclass(IsoTimeInput, forms.TimeInput)
