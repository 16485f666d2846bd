from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pawpact.core.money import CurrencyMismatch, Money, apply_rate, sum_money

BIGINT = 2**63 - 1  # the range of the BigIntegerField the amounts are stored in

amounts = st.integers(min_value=-BIGINT, max_value=BIGINT)
moneys = amounts.map(Money)
ratios = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=12,
).filter(any)


class TestConstruction:
    def test_defaults_to_cny(self):
        assert Money(100) == Money(100, "CNY")

    @pytest.mark.parametrize("amount", [1.0, Decimal("1"), "1", True, False, None])
    def test_refuses_non_int_amounts(self, amount):
        with pytest.raises(ValueError, match="amount_minor must be an int"):
            Money(amount)

    @pytest.mark.parametrize("currency", ["cny", "CN", "CNYY", "C1Y", "ÄÖÜ", "", None, 156])
    def test_refuses_malformed_currencies(self, currency):
        with pytest.raises(ValueError, match="currency must be 3 upper-case letters"):
            Money(1, currency)

    def test_is_frozen_and_hashable(self):
        money = Money(100)
        with pytest.raises(AttributeError):
            money.amount_minor = 5
        assert {Money(100), Money(100), Money(100, "USD")} == {Money(100), Money(100, "USD")}

    def test_zero(self):
        assert Money.zero() == Money(0, "CNY")
        assert Money.zero("USD") == Money(0, "USD")
        assert Money.zero("USD").is_zero is True
        assert Money(1).is_zero is False

    def test_equality_includes_currency_and_never_equals_a_number(self):
        assert Money(100, "CNY") != Money(100, "USD")
        assert Money(0) != 0


class TestArithmetic:
    def test_add_sub_neg_abs(self):
        assert Money(150) + Money(250) == Money(400)
        assert Money(150) - Money(250) == Money(-100)
        assert -Money(150) == Money(-150)
        assert abs(Money(-150, "USD")) == Money(150, "USD")

    @pytest.mark.parametrize(
        "operation",
        [
            lambda a, b: a + b,
            lambda a, b: a - b,
            lambda a, b: a < b,
            lambda a, b: a <= b,
            lambda a, b: a > b,
            lambda a, b: a >= b,
        ],
    )
    def test_mixed_currencies_are_refused(self, operation):
        with pytest.raises(CurrencyMismatch, match="cannot combine CNY with USD"):
            operation(Money(100, "CNY"), Money(100, "USD"))

    def test_currency_mismatch_is_a_value_error(self):
        assert issubclass(CurrencyMismatch, ValueError)

    @pytest.mark.parametrize("other", [1, Decimal("1"), 1.0])
    def test_adding_a_number_is_refused(self, other):
        with pytest.raises(TypeError):
            Money(100) + other
        with pytest.raises(TypeError):
            other + Money(100)

    def test_comparison(self):
        assert Money(1) < Money(2)
        assert Money(2) <= Money(2)
        assert Money(3) > Money(2)
        assert Money(2) >= Money(2)
        assert not Money(2) < Money(2)
        assert max(Money(5), Money(-7), Money(3)) == Money(5)

    def test_multiply_by_int_both_sides(self):
        assert Money(250) * 3 == Money(750)
        assert 3 * Money(250) == Money(750)
        assert Money(250, "USD") * -2 == Money(-500, "USD")

    @pytest.mark.parametrize("factor", [Decimal("1.5"), 1.5, True, Money(2)])
    def test_multiply_by_anything_else_is_refused(self, factor):
        with pytest.raises(TypeError):
            Money(250) * factor
        with pytest.raises(TypeError):
            factor * Money(250)

    def test_sum_money(self):
        assert sum_money([Money(100), Money(250), Money(-50)], "CNY") == Money(300)
        assert sum_money([], "USD") == Money(0, "USD")
        with pytest.raises(CurrencyMismatch):
            sum_money([Money(100, "USD")], "CNY")

    @given(moneys, moneys, moneys)
    def test_addition_is_associative(self, a, b, c):
        assert (a + b) + c == a + (b + c)

    @given(moneys, moneys)
    def test_addition_is_commutative(self, a, b):
        assert a + b == b + a

    @given(moneys)
    def test_adding_the_negation_gives_zero(self, a):
        assert a + (-a) == Money.zero()
        assert (a + (-a)).is_zero

    @given(moneys, moneys)
    def test_subtraction_is_adding_the_negation(self, a, b):
        assert a - b == a + (-b)


class TestApplyRate:
    @pytest.mark.parametrize(
        ("amount", "rate", "expected"),
        [
            (39900, Decimal("0.10"), 3990),
            (12345, Decimal("0.005"), 62),  # 61.725 -> 62
            (-12345, Decimal("0.005"), -62),  # ties round away from zero, symmetrically
            (150, Decimal("0.01"), 2),  # 1.5 -> 2
            (149, Decimal("0.01"), 1),  # 1.49 -> 1
            (39900, Decimal("0.7"), 27930),
            (39900, Decimal("0"), 0),
            (100, Decimal("1.5"), 150),
        ],
    )
    def test_half_up_examples(self, amount, rate, expected):
        assert apply_rate(Money(amount), rate) == Money(expected)

    def test_keeps_the_currency(self):
        assert apply_rate(Money(1000, "USD"), Decimal("0.25")) == Money(250, "USD")

    def test_rounding_is_explicit(self):
        assert apply_rate(Money(250), Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Money(2)
        assert apply_rate(Money(350), Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Money(4)
        assert apply_rate(Money(199), Decimal("0.01"), rounding=ROUND_DOWN) == Money(1)

    def test_rounds_once_even_beyond_default_decimal_precision(self):
        # The exact product is 500000000000000000.4999999999989…; rounding it to
        # Decimal's default 28 digits first would make it .5 and round up.
        rate = Decimal("0.49999999999999999999999999999" + "9")
        assert apply_rate(Money(10**18 + 1), rate) == Money(500000000000000000)

    @pytest.mark.parametrize("rate", [0.1, 1, "0.1", None])
    def test_refuses_non_decimal_rates(self, rate):
        with pytest.raises(TypeError, match="rate must be a Decimal"):
            apply_rate(Money(100), rate)

    @pytest.mark.parametrize("rate", [Decimal("NaN"), Decimal("Infinity")])
    def test_refuses_non_finite_rates(self, rate):
        with pytest.raises(ValueError, match="rate must be finite"):
            apply_rate(Money(100), rate)

    @given(amounts, st.decimals(min_value=-10, max_value=10, places=6, allow_nan=False, allow_infinity=False))
    def test_result_is_within_half_a_fen_of_the_exact_product(self, amount, rate):
        exact = amount * Fraction(rate)
        assert abs(apply_rate(Money(amount), rate).amount_minor - exact) <= Fraction(1, 2)


def minor(parts):
    return [part.amount_minor for part in parts]


class TestAllocate:
    @pytest.mark.parametrize(
        ("amount", "ratios", "expected"),
        [
            (100, [1, 1, 1], [34, 33, 33]),
            (1, [1, 1, 1], [1, 0, 0]),
            (2, [1, 1, 1], [1, 1, 0]),
            (-100, [1, 1, 1], [-34, -33, -33]),
            (-1, [1, 1, 1], [-1, 0, 0]),
            (100, [70, 30], [70, 30]),
            (5, [3, 7], [2, 3]),  # exact 1.5 / 3.5: tie goes to the earlier part
            (10, [1, 0, 1], [5, 0, 5]),
            (1, [0, 1], [0, 1]),  # a zero ratio never gets the leftover fen
            (100, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")], [50, 25, 25]),
            (101, [Decimal("0.2"), 1], [17, 84]),  # mixed int and Decimal ratios
            (0, [1, 2], [0, 0]),
            (39900, [1], [39900]),
        ],
    )
    def test_examples(self, amount, ratios, expected):
        assert minor(Money(amount).allocate(ratios)) == expected

    def test_largest_remainder_wins_over_position(self):
        # Exact shares 0.1, 0.3, 0.6: the one leftover fen goes to the last part.
        assert minor(Money(1).allocate([1, 3, 6])) == [0, 0, 1]

    def test_parts_keep_the_currency(self):
        assert Money(100, "USD").allocate([1, 1]) == [Money(50, "USD"), Money(50, "USD")]

    @pytest.mark.parametrize(
        ("ratios", "message"),
        [
            ([], "ratios must not be empty"),
            ([0, 0], "ratios must not all be zero"),
            ([1, -1], "ratios must not be negative"),
            ([Decimal("NaN")], "ratio must be finite"),
        ],
    )
    def test_refuses_bad_ratios(self, ratios, message):
        with pytest.raises(ValueError, match=message):
            Money(100).allocate(ratios)

    @pytest.mark.parametrize("ratio", [0.5, "1", True])
    def test_refuses_non_int_non_decimal_ratios(self, ratio):
        with pytest.raises(TypeError, match="ratios must be int or Decimal"):
            Money(100).allocate([1, ratio])

    def test_split(self):
        assert minor(Money(100).split(3)) == [34, 33, 33]
        assert minor(Money(-100).split(3)) == [-34, -33, -33]
        assert minor(Money(7).split(1)) == [7]
        with pytest.raises(ValueError, match="ratios must not be empty"):
            Money(100).split(0)

    @given(amounts, ratios)
    def test_parts_sum_exactly_to_the_whole(self, amount, ratios):
        parts = Money(amount).allocate(ratios)
        assert len(parts) == len(ratios)
        assert sum_money(parts, "CNY") == Money(amount)

    @given(amounts, ratios)
    def test_each_part_is_within_one_fen_of_its_exact_share(self, amount, ratios):
        total = sum(Fraction(r) for r in ratios)
        for part, ratio in zip(Money(amount).allocate(ratios), ratios, strict=True):
            assert abs(part.amount_minor - amount * Fraction(ratio) / total) < 1

    @given(amounts, ratios)
    def test_negative_amounts_split_symmetrically(self, amount, ratios):
        assert Money(-amount).allocate(ratios) == [-part for part in Money(amount).allocate(ratios)]


class TestFormat:
    @pytest.mark.parametrize(
        ("money", "expected"),
        [
            (Money(123456), "¥1,234.56"),
            (Money(100, "USD"), "$1.00"),
            (Money(1234, "EUR"), "12.34 EUR"),
            (Money(123456789, "EUR"), "1,234,567.89 EUR"),
            (Money(5), "¥0.05"),
            (Money(0), "¥0.00"),
            (Money(-123456), "-¥1,234.56"),
            (Money(-5, "EUR"), "-0.05 EUR"),
            (Money(1234, "JPY"), "1,234 JPY"),
            (Money(1234, "KWD"), "1.234 KWD"),
        ],
    )
    def test_format(self, money, expected):
        assert money.format() == expected
