from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecourseRule(models.TextChoices):
    """What happens to an advance when its contract ends before it is paid off."""

    FULL = "full", _("Full recourse: unpaid value clawed back")
    PRO_RATA = "pro_rata", _("Pro rata: advance on the unpaid periods clawed back")
    NONE = "none", _("No recourse: the platform bears the loss")


# The "payout" context: money the platform pays out to a shop (已打款), not a payment it receives (已支付).
class AdvanceStatus(models.TextChoices):
    PENDING = "pending", _("Pending (not yet due)")
    IN_PAYOUT = "in_payout", _("In a payout")
    PAID = "paid", pgettext_lazy("payout", "Paid")
    CANCELLED = "cancelled", _("Cancelled before payment")


class PayoutStatus(models.TextChoices):
    CREATED = "created", pgettext_lazy("payout", "Created")
    SENT = "sent", pgettext_lazy("payout", "Sent")
    PAID = "paid", pgettext_lazy("payout", "Paid")
    FAILED = "failed", _("Failed")


class PayoutAccountKind(models.TextChoices):
    STRIPE_CONNECT = "stripe_connect", _("Stripe Connect account")
    ALIPAY_RECEIVER = "alipay_receiver", _("Alipay profit-sharing receiver")
    WECHAT_RECEIVER = "wechat_receiver", _("WeChat Pay profit-sharing receiver")


class PayoutAccountStatus(models.TextChoices):
    """Onboarding: entered (pending) → verified with the provider, or rejected with the reason."""

    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class ClawbackReason(models.TextChoices):
    EARLY_TERMINATION = "early_termination", _("Early termination")
    PET_LOSS = "pet_loss", _("Pet death or loss")
    COOLING_OFF = "cooling_off", _("Cancelled in cooling-off")
    DEFAULT = "default", _("Customer default")
    PARTNER_CLEARING = "partner_clearing", _("Plan entitlements redeemed at partners")


class PlatformAccount(models.TextChoices):
    """The platform ledger's accounts (debit-positive, like the shops' ledgers)."""

    CASH = "cash", _("Platform cash")
    CUSTOMER_RECEIVABLE = "customer_receivable", _("Receivable from customers (purchased contracts)")
    ADVANCES_PAYABLE = "advances_payable", _("Advances payable to shops")
    SHOP_RECEIVABLE = "shop_receivable", _("Receivable from shops (clawbacks)")
    FEE_REVENUE = "fee_revenue", _("Advance fee revenue")
    DISCOUNT = "discount", _("Contract purchase discount")
    BAD_DEBT = "bad_debt", _("Bad debt")
    SAAS_REVENUE = "saas_revenue", _("Subscription revenue")
    SAAS_RECEIVABLE = "saas_receivable", _("Subscription invoices receivable")
    CLEARING_RECEIVABLE = "clearing_receivable", _("Receivable from shops (partner entitlements)")
    PARTNER_PAYABLE = "partner_payable", _("Payable to service partners")


class MismatchKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("Moved at the provider, not in the books")
    MISSING_AT_PROVIDER = "missing_at_provider", _("In the books, not at the provider")
    AMOUNT_DIFFERS = "amount_differs", _("Amounts differ")


class MismatchResolution(models.TextChoices):
    """Why a reconciliation mismatch was closed. `matched` is the statements' own doing; the
    others are a platform admin's, always with a note."""

    MATCHED = "matched", _("Matched by a later statement")
    TIMING = "timing", _("Timing: on another day's statement")
    PROVIDER_CORRECTED = "provider_corrected", _("Corrected by the provider")
    BOOKS_CORRECTED = "books_corrected", _("Corrected in the books")
    NOT_OURS = "not_ours", _("Not a Pawpact transaction")
    OTHER = "other", _("Other reason")


class StatementImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    FETCHING = "fetching", _("Fetching from the provider")
    MATCHING = "matching", _("Matching against the books")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RiskMetric(models.TextChoices):
    OVERDUE_RATE = "overdue_rate", _("Overdue rate")
    DEBIT_SUCCESS_RATE = "debit_success_rate", _("Debit success rate")
    BAD_DEBT_RATE = "bad_debt_rate", _("Bad-debt rate")
    COMPLAINT_RATE = "complaint_rate", _("Complaint rate")


class Kpi(models.TextChoices):
    DEBIT_SUCCESS_RATE = "debit_success_rate", _("Debit success rate")
    RENEWAL_RATE = "renewal_rate", _("Renewal rate")
    OVERDUE_RATE = "overdue_rate", _("Overdue rate")
    BAD_DEBT_RATE = "bad_debt_rate", _("Bad-debt rate")
    COMPLAINT_RATE = "complaint_rate", _("Complaint rate")
    PLAN_REVENUE_SHARE = "plan_revenue_share", _("Plan revenue share")
    LTV_RATIO = "ltv_ratio", _("LTV of plan customers vs ordinary customers")
    SIGNINGS = "signings", _("Signings")
    PLAN_REVENUE = "plan_revenue", _("Plan revenue")


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", _("Free trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due (grace period)")
    READ_ONLY = "read_only", _("Read-only (unpaid)")
    CANCELLED = "cancelled", _("Cancelled")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("invoice", "Open")  # awaiting payment, not a task to handle
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    VOID = "void", _("Void")


class PlatformJournalKind(StrEnum):
    """The kinds of journal on the platform's ledger."""

    SAAS_INVOICE = "saas.invoice"
    SAAS_PAID = "saas.paid"
    ADVANCE_PURCHASED = "advance.purchased"
    ADVANCE_COLLECTION = "advance.collection"
    ADVANCE_CLOSED = "advance.closed"
    ADVANCE_CANCELLED = "advance.cancelled"
    PAYOUT_PAID = "payout.paid"
    PARTNER_CLEARING = "partner.clearing"
