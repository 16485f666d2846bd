import pytest

from pawpact.core.bilingual import halves


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("指定宠粮 Designated food", ("指定宠粮", "Designated food")),
        ("基础体检 Basic check-up", ("基础体检", "Basic check-up")),
        ("猫砂 / Litter", ("猫砂", "Litter")),
        # One brand's name, or a name with a size: shown as typed to every reader.
        ("Royal Canin 皇家猫粮", None),
        ("冻干 K9 2kg", None),
        ("Food / litter / toys", None),
        ("指定宠粮", None),
    ],
)
def test_a_text_is_read_as_two_languages_only_in_the_shapes_a_shop_writes_both(text, expected):
    assert halves(text) == expected
