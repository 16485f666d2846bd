"""Reads for the customer list and the customer page."""
from django.db.models import Count, Q, QuerySet

from pawpact.billing.enums import ContractStatus
from pawpact.customers.models import Customer
from pawpact.customers.services import phone_normalize

# Segments in the shop's words: new (no contract yet), in a plan, overdue, ended (no plan in force).
SEGMENTS = ("new", "active", "overdue", "ended")


def customer_list(*, query: str = "", standing: str = "", segment: str = "") -> QuerySet[Customer]:
    customers = Customer.objects.annotate(
        active_contracts=Count("contracts", filter=Q(contracts__status=ContractStatus.ACTIVE), distinct=True),
        all_contracts=Count("contracts", distinct=True),
        pet_count=Count("pets", distinct=True),
    )
    if standing:
        customers = customers.filter(standing=standing)
    if segment == "new":
        customers = customers.filter(all_contracts=0)
    elif segment == "active":
        customers = customers.filter(active_contracts__gt=0)
    elif segment == "overdue":
        customers = customers.filter(standing__in=("grace", "overdue", "default"))
    elif segment == "ended":
        customers = customers.filter(all_contracts__gt=0, active_contracts=0)
    query = (query or "").strip()
    if query:
        phone = phone_normalize(query)
        customers = customers.filter(
            Q(phone=phone) if phone else Q(name__icontains=query) | Q(phone__contains=query) | Q(pets__name__icontains=query)
        ).distinct()
    return customers.order_by("-created_at", "-id")
