"""Reads for the customer list and the customer page.

Counts and segment tests are correlated subqueries (EXISTS, COUNT per row), not joins
with GROUP BY: the page counts and shows 25 customers of a shop with tens of thousands,
and Django leaves the unused annotations out of the paginator's COUNT.
"""
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pawpact.billing.enums import ContractStatus
from pawpact.billing.models import Contract
from pawpact.customers.models import Customer, Pet
from pawpact.customers.services import phone_normalize

# Segments in the shop's words: new (no contract yet), in a plan, overdue, ended (no plan in force).
SEGMENTS = ("new", "active", "overdue", "ended")


def _count(queryset, field: str):
    counted = queryset.values(field).annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def customer_list(*, query: str = "", standing: str = "", segment: str = "") -> QuerySet[Customer]:
    contracts = Contract.objects.filter(customer=OuterRef("pk"))
    active = contracts.filter(status=ContractStatus.ACTIVE)
    customers = Customer.objects.annotate(
        active_contracts=_count(active, "customer"),
        pet_count=_count(Pet.objects.filter(owner=OuterRef("pk")), "owner"),
    )
    if standing:
        customers = customers.filter(standing=standing)
    if segment == "new":
        customers = customers.filter(~Exists(contracts))
    elif segment == "active":
        customers = customers.filter(Exists(active))
    elif segment == "overdue":
        customers = customers.filter(standing__in=("grace", "overdue", "default"))
    elif segment == "ended":
        customers = customers.filter(Exists(contracts), ~Exists(active))
    query = (query or "").strip()
    if query:
        phone = phone_normalize(query)
        pets = Pet.objects.filter(owner=OuterRef("pk"), name__icontains=query)
        customers = customers.filter(
            Q(phone=phone) if phone else Q(name__icontains=query) | Q(phone__contains=query) | Exists(pets)
        )
    return customers.order_by("-created_at", "-id")
