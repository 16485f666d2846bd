"""Form widgets for the browser's native date and time pickers.

<input type="date"> and <input type="time"> accept only ISO values (2026-02-01, 09:30);
Django's plain widgets render the active language's first input format instead
(zh-hans: 2026/02/01), which the browser shows as empty and then submits as empty,
erasing the stored date. These widgets always render ISO, whatever the language.
"""
from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_TIME)
