"""Writes on plans: the seed plans, new plans, and new versions of a plan's terms.

A plan's terms live in immutable versions: editing a plan creates version n+1,
so a signed contract keeps the exact terms (price, periods, penalty…) it signed.
"""
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pawpact.billing.enums import EntitlementKind
from pawpact.billing.errors import PlanTermsInvalid
from pawpact.billing.models import MAX_PENALTY_RATE, Plan, PlanVersion
from pawpact.core.errors import Conflict, ValidationFailed

# Every term a version carries; `plan_version_create` copies the ones not given
# from the plan's current version.
TERM_FIELDS = (
    "monthly_price_minor",
    "currency",
    "periods",
    "debit_day",
    "entitlements",
    "scope_of_use",
    "deposit_minor",
    "penalty_rate",
    "cooling_off_days",
    "health_guarantee_days",
    "fulfilment_rewards",
)
_DEFAULTS: dict[str, Any] = {"currency": "CNY", "health_guarantee_days": 30, "fulfilment_rewards": []}


def plan_create(*, code: str, name: str, name_en: str = "", is_active: bool = True, **terms: Any) -> Plan:
    """A new plan with its first version; every term without a default must be given."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        errors["code"] = [_("Enter a code.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    values = {**_DEFAULTS, **terms}
    errors.update(plan_terms_errors(values))
    if errors:
        raise ValidationFailed(_("The plan's terms are invalid."), fields=errors)
    try:
        with transaction.atomic():
            plan = Plan.objects.create(code=code, name=name, name_en=(name_en or "").strip(), is_active=is_active)
            _version_insert(plan=plan, number=1, values=values)
    except IntegrityError as error:
        raise Conflict(
            _("A plan with the code %(code)s exists already.") % {"code": code},
            fields={"code": [_("This code is taken.")]},
        ) from error
    return plan


def plan_version_create(*, plan: Plan, **terms: Any) -> PlanVersion:
    """Edit a plan: its next version, with the given terms over the current version's.

    Contracts keep pointing at the version they signed; new applications use the new one.
    """
    with transaction.atomic():
        # The lock serialises two editors, so version numbers never collide.
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        current = plan.versions.order_by("-version").first()
        base = {field: getattr(current, field) for field in TERM_FIELDS} if current else dict(_DEFAULTS)
        values = {**base, **terms}
        errors = plan_terms_errors(values)
        if errors:
            # The changed terms are combined with the current ones (a reward after the last period).
            raise PlanTermsInvalid(_("The plan's terms are invalid."), fields=errors)
        return _version_insert(plan=plan, number=(current.version + 1) if current else 1, values=values)


def plan_update(*, plan: Plan, name: str, is_active: bool, name_en: str = "") -> Plan:
    """Rename a plan (an empty English name shows the plan's name to English readers) or take
    it on/off sale; its terms change only through a new version."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("The plan's terms are invalid."), fields={"name": [_("Enter a name.")]})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        plan.name, plan.name_en, plan.is_active = name, (name_en or "").strip(), bool(is_active)
        plan.save(update_fields=["name", "name_en", "is_active"])
    return plan


def plan_current_version(*, plan: Plan) -> PlanVersion | None:
    """The version new applications sign: the plan's newest."""
    return plan.versions.order_by("-version").first()


def _version_insert(*, plan: Plan, number: int, values: Mapping[str, Any]) -> PlanVersion:
    return PlanVersion.objects.create(
        plan=plan,
        version=number,
        monthly_price_minor=values["monthly_price_minor"],
        currency=values["currency"],
        periods=values["periods"],
        debit_day=values["debit_day"],
        entitlements=[dict(entry) for entry in values["entitlements"]],
        scope_of_use=values["scope_of_use"].strip(),
        deposit_minor=values["deposit_minor"],
        penalty_rate=_decimal(values["penalty_rate"]),
        cooling_off_days=values["cooling_off_days"],
        health_guarantee_days=values["health_guarantee_days"],
        fulfilment_rewards=[dict(entry) for entry in values["fulfilment_rewards"]],
    )


def _is_int(value: object) -> bool:
    # True is an int to Python, never to a price.
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if _is_int(value) or isinstance(value, str):
        try:
            parsed = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None  # floats are refused: 0.1 is not one tenth


def plan_terms_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per-field messages for every term that breaks a rule (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(TERM_FIELDS)
    for field in sorted(unknown):
        errors[field] = [_("Unknown plan term.")]

    def require(field: str) -> object:
        if field not in values:
            errors[field] = [_("This term is required.")]
            return None
        return values[field]

    price = require("monthly_price_minor")
    if "monthly_price_minor" in values and not (_is_int(price) and price > 0):
        errors["monthly_price_minor"] = [_("The monthly price must be a positive whole number of fen.")]
    currency = require("currency")
    if "currency" in values and not (isinstance(currency, str) and len(currency) == 3 and currency.isupper()):
        errors["currency"] = [_("Use a 3-letter currency code.")]
    periods = require("periods")
    if "periods" in values and not (_is_int(periods) and 12 <= periods <= 24):
        errors["periods"] = [_("A plan runs for 12 to 24 periods.")]
    debit_day = require("debit_day")
    if "debit_day" in values and not (_is_int(debit_day) and 1 <= debit_day <= 28):
        errors["debit_day"] = [_("The debit day must be a day of the month from 1 to 28.")]
    deposit = require("deposit_minor")
    if "deposit_minor" in values and not (_is_int(deposit) and deposit >= 0):
        errors["deposit_minor"] = [_("The deposit must be zero or a positive whole number of fen.")]
    rate = require("penalty_rate")
    if "penalty_rate" in values:
        parsed = _decimal(rate)
        if parsed is None or not (0 <= parsed <= MAX_PENALTY_RATE) or parsed.as_tuple().exponent < -3:
            errors["penalty_rate"] = [
                # xgettext:no-python-format
                _("The early termination penalty rate must be between 0 and 0.10 (at most 10% of the remaining amount).")
            ]
    for field in ("cooling_off_days", "health_guarantee_days"):
        days = require(field)
        if field in values and not (_is_int(days) and 0 <= days <= 365):
            errors[field] = [_("Enter a number of days from 0 to 365.")]
    scope = require("scope_of_use")
    if "scope_of_use" in values and not (isinstance(scope, str) and scope.strip()):
        errors["scope_of_use"] = [_("Describe what the monthly amount may be used for.")]
    entitlements = require("entitlements")
    if "entitlements" in values:
        messages = _entitlements_errors(entitlements)
        if messages:
            errors["entitlements"] = messages
    rewards = require("fulfilment_rewards")
    if "fulfilment_rewards" in values:
        messages = _rewards_errors(rewards, periods if _is_int(periods) else 24)
        if messages:
            errors["fulfilment_rewards"] = messages
    return errors


_KINDS = ", ".join(EntitlementKind.values)


def _entitlements_errors(entitlements: object) -> list[str]:
    if not isinstance(entitlements, list) or not entitlements:
        return [_("List at least one monthly entitlement.")]
    messages = []
    for number, entry in enumerate(entitlements, start=1):
        if not isinstance(entry, Mapping) or set(entry) != {"kind", "item", "quantity", "unit"}:
            messages.append(_("Entitlement %(n)s needs exactly kind, item, quantity and unit.") % {"n": number})
            continue
        if entry["kind"] not in EntitlementKind.values:
            messages.append(_("Entitlement %(n)s: kind must be one of %(kinds)s.") % {"n": number, "kinds": _KINDS})
        if not (isinstance(entry["item"], str) and entry["item"].strip()):
            messages.append(_("Entitlement %(n)s: name the item.") % {"n": number})
        if not (_is_int(entry["quantity"]) and entry["quantity"] > 0):
            messages.append(_("Entitlement %(n)s: the quantity must be a positive whole number.") % {"n": number})
        if not (isinstance(entry["unit"], str) and entry["unit"].strip()):
            messages.append(_("Entitlement %(n)s: give the unit (g, bag, visit…).") % {"n": number})
    return messages


def _rewards_errors(rewards: object, periods: int) -> list[str]:
    if not isinstance(rewards, list):
        return [_("Fulfilment rewards must be a list.")]
    messages = []
    for number, entry in enumerate(rewards, start=1):
        if not isinstance(entry, Mapping) or set(entry) != {"consecutive_paid", "kind", "quantity"}:
            messages.append(_("Reward %(n)s needs exactly consecutive_paid, kind and quantity.") % {"n": number})
            continue
        paid = entry["consecutive_paid"]
        if not (_is_int(paid) and 1 <= paid <= periods):
            messages.append(
                _("Reward %(n)s: consecutive paid periods must be from 1 to %(periods)s.")
                % {"n": number, "periods": periods}
            )
        if entry["kind"] not in EntitlementKind.values:
            messages.append(_("Reward %(n)s: kind must be one of %(kinds)s.") % {"n": number, "kinds": _KINDS})
        if not (_is_int(entry["quantity"]) and entry["quantity"] > 0):
            messages.append(_("Reward %(n)s: the quantity must be a positive whole number.") % {"n": number})
    return messages
