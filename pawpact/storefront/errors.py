from pawpact.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed


class ProductInvalid(ValidationFailed):
    """A product's fields break the catalogue's rules (price, stock, images)."""

    code = "product_invalid"


class PriceBelowCost(BusinessRuleViolation):
    """A price under the warehouse's cost needs an explicit confirmation."""

    code = "price_below_cost"


class NotSellable(Conflict):
    """Delisted, sold out, or not from the shop's warehouse."""

    code = "not_sellable"


class CartEmpty(BusinessRuleViolation):
    """Checkout of a cart with nothing in it."""

    code = "cart_empty"


class AddressMissing(BusinessRuleViolation):
    """Checkout before the customer saved a delivery address."""

    code = "address_missing"


class OrderNotPayable(Conflict):
    """The order is not awaiting payment any more (paid, cancelled or expired)."""

    code = "order_not_payable"


class ReshipRefused(BusinessRuleViolation):
    """A reship cannot be asked for this parcel (not delivered yet, too late, or already asked)."""

    code = "reship_refused"


class FulfilmentNotFound(NotFound):
    code = "not_found"


class IllegalFulfilmentMove(Conflict):
    code = "illegal_transition"


class OrderNotCancellable(Conflict):
    """The parcel has left the warehouse (or the order is already closed)."""

    code = "order_not_cancellable"


class RefundInvalid(BusinessRuleViolation):
    """A refund larger than what is left, of an unpaid order, or while another is on its way."""

    code = "refund_invalid"


class WarehouseChangeRefused(Conflict):
    """The shop cannot change warehouses while orders are still open with the current one."""

    code = "warehouse_change_refused"


class CartQuantityLimit(BusinessRuleViolation):
    """A cart line of more than 99 of one product."""

    code = "cart_quantity_limit"


class TestClockRefused(Conflict):
    """Moving a parcel's time is for a shop in test mode, on a parcel waiting at the warehouse."""

    code = "test_clock_refused"
