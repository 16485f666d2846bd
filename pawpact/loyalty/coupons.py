"""Coupons: the shop's templates, issuing a coupon to a customer, and using it once.

A coupon is used at most once: its `CouponUse` row is one-to-one with it (the database
refuses a second), and every use takes the coupon's row lock and moves it from `issued`
to `used` with a conditional update, so two checkouts racing on one code end with one
order discounted and the other refused (CouponUsed), nothing written for it.

Where each kind is used:
- amount off, % off: a shop order, through the storefront's pricing hook
  (`coupon_discount`, settings.PAWPACT_STOREFRONT_PRICING) and marked used in the
  order's own transaction (`coupon_redeem_order`, PAWPACT_STOREFRONT_COUPON_REDEEM);
  given back once when the order is cancelled or fully refunded (`coupon_release_order`,
  PAWPACT_STOREFRONT_COUPON_RELEASE): the use is kept, marked returned;
- amount off, first month half price, deferral: a contract (`coupon_apply_to_contract`):
  a credit on the next debit (billing's next_debit_credit_apply, journal
  `coupon.credit:<code>`), or a deferral coupon of billing's own;
- free service: a booking, as a care benefit source after the plan entitlement
  (pawpact.care.coupon_benefit).
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pawpact.billing.enums import ContractStatus, JournalKind
from pawpact.billing.models import Contract
from pawpact.billing.services.debit_credits import next_debit_credit_apply
from pawpact.billing.services.deferral import deferral_coupon_issue
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict, NotFound
from pawpact.core.money import Money, apply_rate
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import (
    Campaign,
    Coupon,
    CouponKind,
    CouponStatus,
    CouponTemplate,
    CouponUse,
    CouponUseKind,
)
from pawpact.loyalty.errors import (
    CouponExpired,
    CouponHeldLimit,
    CouponLimitReached,
    CouponNotApplicable,
    CouponTemplateClosed,
    CouponTotalReached,
    CouponUsed,
)
from pawpact.loyalty.pricing import tier_discount

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter
ORDER_KINDS = (CouponKind.AMOUNT_OFF, CouponKind.PERCENT_OFF)
CONTRACT_KINDS = (CouponKind.AMOUNT_OFF, CouponKind.FIRST_MONTH_HALF, CouponKind.DEFERRAL)
HALF = Decimal("0.5")


def _code() -> str:
    return "CP" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))


def coupon_template_enable(*, template: CouponTemplate, enabled: bool) -> CouponTemplate:
    with transaction.atomic():
        CouponTemplate.objects.filter(pk=template.pk).update(enabled=bool(enabled))
    template.refresh_from_db()
    return template


# --- Issuing ---------------------------------------------------------------------------------------


def _validity(template: CouponTemplate, today: date) -> tuple[date, date]:
    if template.valid_days:
        return today, today + timedelta(days=template.valid_days - 1)
    return max(template.valid_from or today, today), template.valid_until


def coupon_issue(
    *, template: CouponTemplate, customer: Customer, source_key: str, campaign: Campaign | None = None,
    clock: Clock = default_clock,
) -> Coupon:
    """Give `customer` a coupon of `template`, once per `source_key` (a replay returns the
    coupon issued the first time). CouponLimitReached, nothing written, when the template
    is disabled, over, or its per-customer or total limit is reached."""  # fmt: skip
    with transaction.atomic():
        locked = CouponTemplate.objects.select_for_update().get(pk=template.pk)  # limits count one issue at a time
        existing = Coupon.objects.filter(source_key=source_key).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise Conflict(_("This reference issued a coupon to another customer."))
            return existing
        today = clock.today()
        valid_from, valid_until = _validity(locked, today)
        if not locked.enabled or valid_until < today:
            raise CouponTemplateClosed(_("This coupon is no longer issued."))
        if locked.total_limit is not None and locked.issued_count >= locked.total_limit:
            raise CouponTotalReached(_("All %(n)d coupons of this kind have been issued.") % {"n": locked.total_limit})
        if Coupon.objects.filter(template=locked, customer=customer).count() >= locked.per_customer_limit:
            raise CouponHeldLimit(_("This customer has as many of these coupons as a customer may have."))
        CouponTemplate.objects.filter(pk=locked.pk).update(issued_count=F("issued_count") + 1)
        return _coupon_create(template=locked, customer=customer, source_key=source_key, campaign=campaign,
                              valid=(valid_from, valid_until), now=clock.now())  # fmt: skip


def _coupon_create(*, template, customer, source_key, campaign, valid, now) -> Coupon:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Coupon.objects.create(
                    uuid=uuid.uuid4(), template=template, customer=customer, code=_code(), source_key=source_key,
                    campaign=campaign, valid_from=valid[0], valid_until=valid[1], issued_at=now,
                )  # fmt: skip
        except IntegrityError:  # a code collision (1 in 10^12): draw another
            continue
    raise Conflict(_("Could not issue a coupon code; try again."))


def coupon_issue_if_allowed(
    *, template: CouponTemplate | None, customer: Customer, source_key: str, campaign: Campaign | None = None,
    clock: Clock = default_clock,
) -> Coupon | None:
    """For triggers and campaigns: the coupon, or None when the template is off or a limit is reached."""  # fmt: skip
    if template is None:
        return None
    try:
        with transaction.atomic():
            return coupon_issue(template=template, customer=customer, source_key=source_key, campaign=campaign,
                                clock=clock)  # fmt: skip
    except CouponLimitReached:
        return None


# --- Checking ----------------------------------------------------------------------------------------


def coupon_get(*, customer: Customer, code: str, lock: bool = False) -> Coupon:
    """The customer's coupon by its code; NotFound for a code of someone else (nothing is told about it)."""
    code = code.strip().upper() if isinstance(code, str) else ""
    rows = Coupon.objects.select_related("template")
    if lock:
        rows = rows.select_for_update(of=("self",))
    coupon = rows.filter(code=code, customer=customer).first() if code else None
    if coupon is None:
        raise NotFound(_("Unknown coupon code."), fields={"coupon_code": [_("Unknown code.")]})
    return coupon


def coupon_check_usable(coupon: Coupon, *, today: date) -> None:
    if coupon.status != CouponStatus.ISSUED:
        raise CouponUsed(_("This coupon has been used already."), fields={"coupon_code": [_("Used.")]})
    if today > coupon.valid_until:
        raise CouponExpired(_("This coupon expired on %(day)s.") % {"day": coupon.valid_until.isoformat()},
                            fields={"coupon_code": [_("Expired.")]})  # fmt: skip
    if today < coupon.valid_from:
        raise CouponExpired(_("This coupon is valid from %(day)s.") % {"day": coupon.valid_from.isoformat()},
                            fields={"coupon_code": [_("Not valid yet.")]})  # fmt: skip


def order_discount_minor(template: CouponTemplate, *, subtotal_minor: int) -> int:
    """What the coupon takes off an order of `subtotal_minor`; CouponNotApplicable if it does not apply."""
    if template.kind not in ORDER_KINDS:
        raise CouponNotApplicable(_("This coupon is not for shop orders."), fields={"coupon_code": [_("Not for orders.")]})
    if subtotal_minor < template.min_spend_minor:
        raise CouponNotApplicable(
            _("This coupon needs a spend of at least %(min)s.") % {"min": Money(template.min_spend_minor).format()},
            fields={"coupon_code": [_("Below the minimum spend.")]},
        )
    if template.kind == CouponKind.AMOUNT_OFF:
        return min(template.amount_off_minor, subtotal_minor)
    return apply_rate(Money(subtotal_minor), Decimal(template.percent_off) / 100).amount_minor


def _use(coupon: Coupon, *, kind: str, reference: str, amount_minor: int, clock: Clock) -> CouponUse:
    """Mark the locked coupon used: a conditional update (issued → used) and its one use row."""
    if Coupon.objects.filter(pk=coupon.pk, status=CouponStatus.ISSUED).update(status=CouponStatus.USED) != 1:
        raise CouponUsed(_("This coupon has been used already."), fields={"coupon_code": [_("Used.")]})
    coupon.status = CouponStatus.USED
    return CouponUse.objects.create(coupon=coupon, kind=kind, reference=reference[:120], amount_minor=amount_minor,
                                    used_at=clock.now())  # fmt: skip


# --- Shop orders (the storefront's hooks) ----------------------------------------------------------------


@dataclass(frozen=True)
class CouponDiscount:
    """Shaped like the storefront's Discount (amount_minor, label), which loyalty may not import."""

    amount_minor: int = 0
    label: str = ""


def coupon_discount(*, customer: Customer, subtotal_minor: int, coupon_code: str = "",
                    clock: Clock = default_clock) -> CouponDiscount:  # fmt: skip
    """The pricing hook: what the customer's coupon takes off the order. No code: nothing.
    A code that does not apply raises (the checkout is refused, nothing written)."""
    if not coupon_code:
        return CouponDiscount()
    coupon = coupon_get(customer=customer, code=coupon_code)
    coupon_check_usable(coupon, today=clock.today())
    amount = order_discount_minor(coupon.template, subtotal_minor=subtotal_minor)
    return CouponDiscount(amount, _("Coupon %(code)s") % {"code": coupon.code})


def coupon_redeem_order(*, customer: Customer, coupon_code: str, order_uuid: str, amount_minor: int,
                        subtotal_minor: int | None = None, coupon_minor: int | None = None,
                        clock: Clock = default_clock) -> CouponUse | None:  # fmt: skip
    """Mark the order's coupon used, inside the order's transaction (called by the storefront).

    `amount_minor` is the order's whole discount; the coupon's use records only its own part:
    `coupon_minor` when the checkout priced it (so the member's rates are not read again), else
    what its template takes off the subtotal left after the tier's discount."""
    if not coupon_code:
        return None
    coupon = coupon_get(customer=customer, code=coupon_code, lock=True)
    coupon_check_usable(coupon, today=clock.today())
    if coupon_minor is not None:
        amount_minor = min(amount_minor, coupon_minor)
    elif subtotal_minor is not None:
        tier_minor = tier_discount(customer=customer, subtotal_minor=subtotal_minor, clock=clock).amount_minor
        amount_minor = min(amount_minor, order_discount_minor(coupon.template, subtotal_minor=subtotal_minor - tier_minor))
    return _use(coupon, kind=CouponUseKind.ORDER, reference=str(order_uuid), amount_minor=amount_minor, clock=clock)


def coupon_release_order(*, order_uuid: str, clock: Clock = default_clock) -> CouponUse | None:
    """Give the customer back the coupon an order used, when the order is cancelled before
    shipping or fully refunded (called by the storefront inside that transaction,
    PAWPACT_STOREFRONT_COUPON_RELEASE). Exactly once: the use is marked returned and the
    coupon is usable again until its own last day; a second call finds no standing use and
    changes nothing. None when the order used no coupon."""
    use = (
        CouponUse.objects.select_for_update()
        .filter(kind=CouponUseKind.ORDER, reference=str(order_uuid), returned_at__isnull=True)
        .first()
    )
    if use is None:
        return None
    Coupon.objects.select_for_update().filter(pk=use.coupon_id).first()
    CouponUse.objects.filter(pk=use.pk).update(returned_at=clock.now())
    Coupon.objects.filter(pk=use.coupon_id, status=CouponStatus.USED).update(status=CouponStatus.ISSUED)
    use.returned_at = clock.now()
    return use


# --- Contracts: a credit on the next debit, or a deferral ---------------------------------------------------


def coupon_apply_to_contract(*, customer: Customer, code: str, contract: Contract,
                             clock: Clock = default_clock) -> CouponUse:  # fmt: skip
    """Use an amount-off, first-month-half-price or deferral coupon on the customer's active contract."""
    with transaction.atomic():
        coupon = coupon_get(customer=customer, code=code, lock=True)
        coupon_check_usable(coupon, today=clock.today())
        template = coupon.template
        if template.kind not in CONTRACT_KINDS:
            raise CouponNotApplicable(_("This coupon is not for monthly debits."),
                                      fields={"coupon_code": [_("Not for debits.")]})  # fmt: skip
        locked = Contract.objects.select_for_update(of=("self",)).filter(pk=contract.pk, customer=customer).first()
        if locked is None or locked.status != ContractStatus.ACTIVE:
            raise CouponNotApplicable(_("Choose one of your contracts in force."), fields={"contract": [_("Not in force.")]})
        if template.kind == CouponKind.DEFERRAL:
            deferral_coupon_issue(contract=locked, reason=f"coupon {coupon.code}", clock=clock)
            amount = 0
        else:
            amount = template.amount_off_minor
            if template.kind == CouponKind.FIRST_MONTH_HALF:
                amount = apply_rate(Money(locked.monthly_amount_minor, locked.currency), HALF).amount_minor
            journal = next_debit_credit_apply(contract=locked, amount_minor=amount, key=f"coupon.credit:{coupon.code}",
                                              kind=JournalKind.COUPON_CREDIT, memo=f"coupon {coupon.code}")  # fmt: skip
            if journal is None:
                raise CouponNotApplicable(_("No coming debit is large enough for this coupon."),
                                          fields={"coupon_code": [_("Nothing to credit.")]})  # fmt: skip
        return _use(coupon, kind=CouponUseKind.DEBIT, reference=str(locked.uuid), amount_minor=amount, clock=clock)


# --- Bookings (the care benefit source) ------------------------------------------------------------------


def free_service_coupon_take(*, customer: Customer, service_kind: str, price_minor: int, reference: str,
                             clock: Clock = default_clock) -> Coupon | None:  # fmt: skip
    """Use the customer's free-service coupon for `service_kind` that ends first; None if they have none.
    Skips a coupon another booking is taking at this moment rather than wait for it."""
    today = clock.today()
    coupon = (
        Coupon.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(customer=customer, status=CouponStatus.ISSUED, template__kind=CouponKind.FREE_SERVICE,
                valid_from__lte=today, valid_until__gte=today)
        .filter(template__service_kind__in=("", service_kind))
        .order_by("valid_until", "id")
        .first()
    )  # fmt: skip
    if coupon is None:
        return None
    _use(coupon, kind=CouponUseKind.BOOKING, reference=reference, amount_minor=price_minor, clock=clock)
    return coupon


def free_service_coupon_release(*, code: str) -> bool:
    """Give back the coupon a booking cancelled in time had used; whether one was given back."""
    with transaction.atomic():
        coupon = Coupon.objects.select_for_update().filter(code=code, status=CouponStatus.USED).first()
        if coupon is None or not CouponUse.objects.filter(coupon=coupon, kind=CouponUseKind.BOOKING).delete()[0]:
            return False
        Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.ISSUED)
    return True
