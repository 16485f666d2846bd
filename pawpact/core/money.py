"""Money as integer minor units (fen) with a currency.

Amounts are never floats. Rates (fees, discounts, penalties) are Decimals and
are applied only through `apply_rate`, so there is one rounding rule to audit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

DEFAULT_CURRENCY = "CNY"

# ISO 4217 minor-unit exponents that differ from the usual 2.
_EXPONENTS: dict[str, int] = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}
_SYMBOLS: dict[str, str] = {"CNY": "¥", "USD": "$"}

# Multiplication is always exact with unlimited precision, so a large fen
# amount times a long rate is never silently rounded before we round it once.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


def _is_int(value: object) -> bool:
    # bool is an int subclass, but True fen is always a bug.
    return isinstance(value, int) and not isinstance(value, bool)


@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if not _is_int(self.amount_minor):
            raise ValueError(f"amount_minor must be an int, got {type(self.amount_minor).__name__}")
        currency = self.currency
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii()
                and currency.isalpha() and currency.isupper()):
            raise ValueError(f"currency must be 3 upper-case letters, got {currency!r}")

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount_minor), self.currency)

    def __mul__(self, factor: object) -> Money:
        if not _is_int(factor):
            raise TypeError("Money can only be multiplied by an int; use apply_rate() for rates")
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    @property
    def is_zero(self) -> bool:
        # A property, so a forgotten call fails loudly instead of always being truthy.
        return self.amount_minor == 0

    def allocate(self, ratios: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to `ratios`, summing exactly to self.

        Largest-remainder method: every part gets the floor of its exact share,
        then the leftover fen go one each to the parts with the largest
        remainders, ties to the earlier part. Each part is within one fen of its
        exact share and a zero ratio always gets zero. Negative amounts are
        split by magnitude and negated, so `(-m).allocate(r) == [-p for p in
        m.allocate(r)]`: -100 over three gives [-34, -33, -33].
        """
        weights = [_ratio(r) for r in ratios]
        if not weights:
            raise ValueError("ratios must not be empty")
        total = sum(weights)
        if total == 0:
            raise ValueError("ratios must not all be zero")

        magnitude = abs(self.amount_minor)
        shares = [magnitude * w / total for w in weights]
        parts = [int(share) for share in shares]  # floor: shares are non-negative
        leftover = magnitude - sum(parts)
        by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - shares[i], i))
        for i in by_remainder[:leftover]:
            parts[i] += 1

        sign = -1 if self.amount_minor < 0 else 1
        return [Money(sign * part, self.currency) for part in parts]

    def split(self, n: int) -> list[Money]:
        """Split into n parts as equal as possible, earlier parts taking the extra fen."""
        return self.allocate([1] * n)

    def format(self) -> str:
        """Human-readable amount: "¥1,234.56", "$1.00", "-12.34 EUR", "1,234 JPY"."""
        exponent = _EXPONENTS.get(self.currency, 2)
        major, minor = divmod(abs(self.amount_minor), 10**exponent)
        number = f"{major:,}" + (f".{minor:0{exponent}d}" if exponent else "")
        sign = "-" if self.amount_minor < 0 else ""
        symbol = _SYMBOLS.get(self.currency)
        if symbol is not None:
            return f"{sign}{symbol}{number}"
        return f"{sign}{number} {self.currency}"


def _ratio(value: int | Decimal) -> Fraction:
    # Floats are refused: 0.1 is not one tenth, and the error would leak into fen.
    if not (_is_int(value) or isinstance(value, Decimal)):
        raise TypeError(f"ratios must be int or Decimal, got {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"ratio must be finite, got {value}")
    if value < 0:
        raise ValueError(f"ratios must not be negative, got {value}")
    return Fraction(value)


def apply_rate(money: Money, rate: Decimal, *, rounding: str = ROUND_HALF_UP) -> Money:
    """Return money × rate rounded once to whole minor units.

    The single place where a Decimal rate touches an amount. ROUND_HALF_UP
    rounds ties away from zero, so negative amounts round symmetrically.
    """
    if not isinstance(rate, Decimal):
        raise TypeError(f"rate must be a Decimal, got {type(rate).__name__}")
    if not rate.is_finite():
        raise ValueError(f"rate must be finite, got {rate}")
    exact = _EXACT.multiply(Decimal(money.amount_minor), rate)
    rounded = exact.quantize(Decimal(1), rounding=rounding, context=_EXACT)
    return Money(int(rounded), money.currency)


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Sum amounts of one currency; the currency makes an empty sum well defined."""
    total = Money.zero(currency)
    for item in items:
        total += item
    return total
