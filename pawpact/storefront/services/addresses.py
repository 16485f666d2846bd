"""The customer's delivery address: one per customer, used by every order and plan box."""
from django.db import transaction

from pawpact.customers.models import Customer
from pawpact.storefront.models import ShippingAddress

ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "address")


def address_set(*, customer: Customer, name: str, phone: str, province: str, city: str, address: str,
                district: str = "") -> ShippingAddress:  # fmt: skip
    """Save (or replace) the customer's delivery address. Orders already placed keep the
    address they were sent with (a copy on each parcel)."""
    values = {"name": name, "phone": phone, "province": province, "city": city, "district": district, "address": address}
    with transaction.atomic():
        saved, _created = ShippingAddress.objects.update_or_create(customer=customer, defaults=values)
    return saved
