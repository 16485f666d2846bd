"""The columns the referral, mall and stored-value lists export."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pawpact.loyalty.wallet_models import MovementKind, RedemptionStatus, ReferralStatus
from pawpact.workspace.exports import column, local, yuan


def _label(choices):
    return lambda value: str(choices(value).label) if value in choices.values else value


REFERRAL_COLUMNS = [
    column(_("Created"), "created_at", show=local),
    column(_("Referrer"), "referrer__name"),
    column(_("Referrer's phone"), "referrer__phone"),
    column(_("Newcomer"), "referred__name"),
    column(_("Newcomer's phone"), "referred__phone"),
    column(_("Code"), "code"),
    column(_("Status"), "status", show=_label(ReferralStatus)),
    column(_("Deposit discount (¥)"), "deposit_discount_minor", show=yuan),
    column(_("Referrer's points"), "referrer_points"),
    column(_("Referrer's credit (¥)"), "referrer_credit_minor", show=yuan),
    column(_("Converted"), "converted_at", show=local),
]

MALL_ITEM_COLUMNS = [
    column(pgettext_lazy("thing", "Name"), "name"),
    column(_("Points"), "points"),
    column(_("Cash part (¥)"), "cash_minor", show=yuan),
    column(_("Stock"), "stock"),
    column(_("Redeemed"), "redeemed"),
    column(_("On sale"), "active", show=lambda value: str(_("Yes") if value else _("No"))),
]

REDEMPTION_COLUMNS = [
    column(_("Created"), "created_at", show=local),
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(_("Item"), "item_name"),
    column(_("Points"), "points"),
    column(_("Cash (¥)"), "cash_minor", show=yuan),
    column(_("Status"), "status", show=_label(RedemptionStatus)),
    column(_("Finished"), "finished_at", show=local),
]

ACCOUNT_COLUMNS = [
    column(_("Customer"), "customer__name"),
    column(_("Phone"), "customer__phone"),
    column(_("Paid value (¥)"), "paid_minor", show=yuan),
    column(_("Gift value (¥)"), "gift_minor", show=yuan),
]

MOVEMENT_COLUMNS = [
    column(_("Time"), "occurred_at", show=local),
    column(_("Customer"), "account__customer__name"),
    column(_("Phone"), "account__customer__phone"),
    column(_("Movement"), "kind", show=_label(MovementKind)),
    column(_("Paid value (¥)"), "paid_minor", show=yuan),
    column(_("Gift value (¥)"), "gift_minor", show=yuan),
]
