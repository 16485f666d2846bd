"""Loyalty's errors; each has the code the API and pages show (pawpact.core.errors)."""
from pawpact.core.errors import BusinessRuleViolation, Conflict


class SurveyAnswered(Conflict):
    """An exit survey is answered once."""

    code = "survey_answered"


class WinBackRedeemed(Conflict):
    """The win-back code was used, or the contract has a win-back discount already."""

    code = "winback_redeemed"


class WinBackExpired(BusinessRuleViolation):
    """The win-back code is past its date."""

    code = "winback_expired"


class InsufficientPoints(BusinessRuleViolation):
    """A redemption beyond the points available (frozen points are not available)."""

    code = "insufficient_points"


class ReferralRefused(BusinessRuleViolation):
    """A referral code that cannot apply: one's own, a loop, an unknown code, already referred."""

    code = "referral_refused"


class OutOfStock(Conflict):
    """A mall item with no stock left (or no longer on sale)."""

    code = "mall_sold_out"


class InsufficientStoredValue(BusinessRuleViolation):
    """Spending or refunding beyond the stored value there is."""

    code = "insufficient_stored_value"


class CouponUsed(Conflict):
    """A coupon is used at most once; this one is used (or withdrawn)."""

    code = "coupon_used"


class CouponExpired(BusinessRuleViolation):
    """The coupon is past its last day, or not valid yet."""

    code = "coupon_expired"


class CouponNotApplicable(BusinessRuleViolation):
    """The coupon does not apply here: another kind of coupon, below its minimum spend,
    or nothing to credit it against."""

    code = "coupon_not_applicable"


class CouponLimitReached(BusinessRuleViolation):
    """The template's limit (per customer or in total) is reached, or it is disabled or over."""

    code = "coupon_limit_reached"


# Why a coupon was not issued, for a campaign's counts; the API answers all three alike.
class CouponTemplateClosed(CouponLimitReached):
    """The template is disabled or its last day has passed."""


class CouponTotalReached(CouponLimitReached):
    """Every coupon the template allows in total has been issued."""


class CouponHeldLimit(CouponLimitReached):
    """The customer holds as many coupons of the template as one customer may."""


class MembershipExists(Conflict):
    """The customer has a paid membership in force already (one at a time)."""

    code = "membership_exists"


class RefundRequestRefused(BusinessRuleViolation):
    """A stored-value refund request the shop does not take: no refunds, nothing paid, one already open."""

    code = "refund_request_refused"
