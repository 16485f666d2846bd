from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntitlementKind(models.TextChoices):
    FOOD = "food", _("Food")
    LITTER = "litter", _("Litter")
    SNACKS = "snacks", _("Snacks")
    CHECKUP = "checkup", _("Check-up")
    GROOMING = "grooming", _("Grooming")
    VACCINE = "vaccine", _("Vaccine")
    CONSULTATION = "consultation", _("Consultation")
    DEWORMING = "deworming", _("Deworming")


class CreditSource(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox credit provider")
    ZHIMA = "zhima", _("Zhima credit (Alipay)")
    STAFF = "staff", _("Entered by staff with evidence")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED_EARLY = "terminated_early", _("Terminated early")
    TERMINATED_PET_LOSS = "terminated_pet_loss", _("Terminated (pet loss)")
    CANCELLED_COOLING_OFF = "cancelled_cooling_off", _("Cancelled in cooling-off")
    DEFAULTED = "defaulted", _("Defaulted")
    # An application or signed contract that never started (the pet is free again).
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A pet can be under at most one contract in these states.
OPEN_CONTRACT_STATUSES = (ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.ACTIVE)


class DepositStatus(models.TextChoices):
    WAIVED = "waived", _("Waived")
    DUE = "due", _("Due")
    HELD = "held", _("Held")
    REFUNDED = "refunded", _("Refunded")
    # On default the deposit pays what the customer owes; any remainder is refunded.
    APPLIED = "applied", _("Applied to what was owed")


class PeriodStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    REMINDED = "reminded", _("Reminded")
    ATTEMPTED = "attempted", _("Attempted")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    RETRYING = "retrying", _("Retrying")
    DEFERRED = "deferred", _("Deferred")
    WRITTEN_OFF = "written_off", _("Written off")
    CANCELLED = "cancelled", _("Cancelled")
    # Paid, then given back (a cooling-off cancellation).
    REFUNDED = "refunded", _("Refunded")
    # Owed on a defaulted contract and paid in full from the held deposit.
    PAID_BY_DEPOSIT = "paid_by_deposit", _("Paid from the deposit")


class AttemptStatus(models.TextChoices):
    STARTED = "started", _("Started")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class LedgerAccount(models.TextChoices):
    """The shop ledger's accounts. Debit-positive amounts: assets and expenses grow
    with positive lines, liabilities and revenue with negative ones."""

    CASH = "cash", _("Cash at payment rail")
    RECEIVABLE = "receivable", _("Customer receivables")
    DEPOSITS_HELD = "deposits_held", _("Deposits held")
    DEFERRED_REVENUE = "deferred_revenue", _("Deferred plan revenue")
    PLAN_REVENUE = "plan_revenue", _("Plan revenue")
    PENALTY_REVENUE = "penalty_revenue", _("Penalty revenue")
    REFUNDS = "refunds", _("Refunds")
    BAD_DEBT = "bad_debt", _("Bad debt")
    # The storefront's: one-off orders are the shop's own money, apart from plan debits.
    STORE_CASH = "store_cash", _("Cash from shop orders")
    GOODS_REVENUE = "goods_revenue", _("Goods revenue")
    COST_OF_GOODS = "cost_of_goods", _("Cost of goods shipped")
    WAREHOUSE_PAYABLE = "warehouse_payable", _("Payable to the warehouse")
    # Care: services paid at the counter (into STORE_CASH), apart from plan revenue.
    SERVICE_REVENUE = "service_revenue", _("Service revenue")
    # Loyalty's stored value: what customers paid in and what the shop gave on top are
    # separate liabilities (only the paid part is ever refundable); gifts cost marketing.
    STORED_VALUE_PAID = "stored_value_paid", _("Stored value (paid)")
    STORED_VALUE_GIFT = "stored_value_gift", _("Stored value (gift)")
    MARKETING_EXPENSE = "marketing_expense", _("Marketing expense")
    # Paid membership fees (the shop's own money, like shop orders: into STORE_CASH).
    MEMBERSHIP_REVENUE = "membership_revenue", _("Membership revenue")


class CallTaskKind(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")


class CallTaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TerminationKind(models.TextChoices):
    COMPLETION = "completion", _("Completed after the last period")
    EARLY = "early", _("Early termination by the customer")
    PET_LOSS = "pet_loss", _("Pet death or loss")
    COOLING_OFF = "cooling_off", _("Cancelled within the cooling-off period")
    SHOP_CLOSURE = "shop_closure", _("Shop closed")
    DEFAULT = "default", _("Customer default")


class JournalKind(StrEnum):
    """The kinds of journal on a shop's ledger; each journal's key is `<kind>:<what it is for>`."""

    WINBACK_CREDIT = "winback.credit"
    COUPON_CREDIT = "coupon.credit"
    WRITE_OFF = "writeoff"
    WRITE_OFF_REVENUE_REVERSED = "writeoff.revenue_reversed"
    RENEWAL_FREE_MONTHS = "renewal.free_months"
    CONTRACT_ACTIVATED = "contract.activated"
    DEPOSIT_HELD = "deposit.held"
    RECEIVABLE_CANCELLED = "receivable.cancelled"
    PENALTY_CHARGED = "penalty.charged"
    PENALTY_COLLECTED = "penalty.collected"
    REFUND = "refund"
    DEPOSIT_REFUNDED = "deposit.refunded"
    DEPOSIT_APPLIED = "deposit.applied"
    PERIOD_PAID = "period.paid"
    # The storefront's movements (shop orders and the parcels the warehouse ships).
    ORDER_PAID = "order.paid"
    ORDER_REFUNDED = "order.refunded"
    FULFILMENT_COST = "fulfilment.cost"
    FULFILMENT_COST_REVERSED = "fulfilment.cost_reversed"
    # Loyalty's: stored value, the points mall's cash part, referral rewards.
    STORED_VALUE_TOPUP = "stored_value.topup"
    STORED_VALUE_SPEND = "stored_value.spend"
    STORED_VALUE_REFUND = "stored_value.refund"
    STORED_VALUE_RETURN = "stored_value.return"  # a spend given back to the balance (a cancelled order)
    MALL_PAID = "mall.paid"
    REFERRAL_CREDIT = "referral.credit"
    MEMBERSHIP_PAID = "membership.paid"
    MEMBERSHIP_REFUNDED = "membership.refunded"


class PetLossReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the shop")
    ACCEPTED = "accepted", _("Accepted: the plan ended without penalty")
    REJECTED = "rejected", _("Not accepted")
