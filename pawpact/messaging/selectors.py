"""Reading stored messages: staff see every message of their shop, a customer their own."""

from __future__ import annotations

from django.db.models import QuerySet

from pawpact.customers.models import Customer
from pawpact.messaging.models import Message, MessageStatus


def message_list(
    *,
    customer: Customer | None = None,
    channel: str | None = None,
    category: str | None = None,
    status: str | None = None,
    topic: str | None = None,
) -> QuerySet[Message]:
    """Every stored message (sent, suppressed or failed), newest first, for staff."""
    messages = Message.objects.select_related("customer")
    if customer is not None:
        messages = messages.filter(customer=customer)
    if channel:
        messages = messages.filter(channel=channel)
    if category:
        messages = messages.filter(category=category)
    if status:
        messages = messages.filter(status=status)
    if topic:
        messages = messages.filter(topic=topic)
    return messages.order_by("-created_at", "-id")


def message_list_for_customer(*, customer: Customer, channel: str | None = None) -> QuerySet[Message]:
    """What the customer received: their own delivered messages (never suppressed ones)."""
    messages = Message.objects.filter(customer=customer, status=MessageStatus.SENT)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.order_by("-created_at", "-id")


def message_unread_count(*, customer: Customer) -> int:
    return message_list_for_customer(customer=customer).filter(read_at__isnull=True).count()
