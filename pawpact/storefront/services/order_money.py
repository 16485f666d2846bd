"""Money of an order beside its rail payment: the stored value it was paid with, given back."""
from pawpact.storefront.models import Order
from pawpact.storefront.pricing import stored_value
from pawpact.tenants.modes import current_livemode


def stored_value_give_back(*, order: Order, amount_minor: int, key: str) -> None:
    """Put `amount_minor` of what the order took from the stored value back on the balance, once
    per `key`; in the caller's transaction with the order locked."""
    if amount_minor <= 0:
        return
    stored_value().give_back(customer=order.customer, spend_key=f"order:{order.uuid}", amount_minor=amount_minor,
                             key=key, memo=f"order {order.number}")  # fmt: skip
    order.stored_value_returned_minor += amount_minor
    order.save(update_fields=["stored_value_returned_minor"])


def order_livemode(order: Order) -> bool:
    return order.payment_method.livemode if order.payment_method_id else current_livemode()
