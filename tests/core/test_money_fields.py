"""The yuan field every amount form uses: yuan in, integer fen out, nothing ambiguous read."""
import pytest
from django import forms
from django.utils import translation

from pawpact.core.money_fields import YuanField


@pytest.mark.parametrize(("typed", "fen"), [
    ("399", 39_900), ("399.5", 39_950), ("12.50", 1_250), ("¥20", 2_000), ("￥20元", 2_000),
    ("1,250.00", 125_000), ("1,250", 125_000), ("12,345,678.9", 1_234_567_890), ("1，250.00", 125_000),
])  # fmt: skip
def test_amounts_people_type_clean_to_fen(typed, fen):
    assert YuanField().clean(typed) == fen


@pytest.mark.parametrize("typed", ["12,50", "1,25", "1,2500", ",250", "1,250,0", "12,5.00"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused_with_a_clear_message(typed):
    with translation.override("en"), pytest.raises(forms.ValidationError) as refused:
        YuanField().clean(typed)
    assert refused.value.messages == [
        "Use a point for fen, such as 12.50; a comma only separates thousands, as in 1,250.00."
    ]
    with translation.override("zh-hans"):
        with pytest.raises(forms.ValidationError) as refused:
            YuanField().clean(typed)
        assert "1,250.00" in refused.value.messages[0] and "小数点" in refused.value.messages[0]


@pytest.mark.parametrize(("typed", "code"), [("12.345", "max_decimal_places"), ("0", "positive"), ("-5", "negative")])
def test_other_bad_amounts_keep_their_messages(typed, code):
    field = YuanField()
    with translation.override("en"), pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages == [str(field.error_messages[code])]
