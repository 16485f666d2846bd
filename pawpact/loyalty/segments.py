"""Segments: saved filters over the shop's customers, counted live.

A filter combines (all optional; empty means any):
- `activity`: new (joined in the last 30 days), active (activity in the last 30 days:
  a debit, an order, a visit), silent (neither, for 30 days or more);
- `standing`: normal / overdue / terminated (pawpact.loyalty.selectors);
- `r_min`, `f_min`, `m_min`: the lowest RFM quintile score (1–5) of recency, frequency,
  monetary value, as the daily run scored them (pawpact.loyalty.rfm).
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.customers.models import Customer
from pawpact.loyalty.coupon_models import Segment
from pawpact.loyalty.models import Activity
from pawpact.loyalty.selectors import SEGMENTS, customer_segment_list

ACTIVITY_DAYS = 30
ACTIVITIES = {"new": gettext_lazy("New"), "active": pgettext_lazy("activity", "Active"), "silent": gettext_lazy("Silent")}
STANDINGS = {"normal": gettext_lazy("Normal"), "overdue": gettext_lazy("Overdue"),
             "terminated": gettext_lazy("Terminated")}  # fmt: skip
RFM_FIELDS = {"r_min": "membership__rfm_recency", "f_min": "membership__rfm_frequency",
              "m_min": "membership__rfm_monetary"}  # fmt: skip
FILTER_KEYS = ("activity", "standing", *RFM_FIELDS)


def segment_filters_clean(filters) -> dict:
    """The filter as stored; ValidationFailed (nothing written) for anything else."""
    if not isinstance(filters, dict):
        raise ValidationFailed(_("Some fields are invalid."), fields={"filters": [_("Invalid.")]})
    errors: dict[str, list[str]] = {}
    for key in set(filters) - set(FILTER_KEYS):
        errors[key] = [_("Unknown filter.")]
    clean = {"activity": filters.get("activity") or "", "standing": filters.get("standing") or ""}
    if clean["activity"] not in ("", *ACTIVITIES):
        errors["activity"] = [_("Choose new, active or silent.")]
    if clean["standing"] not in ("", *SEGMENTS):
        errors["standing"] = [_("Choose normal, overdue or terminated.")]
    for key in RFM_FIELDS:
        value = filters.get(key) or 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            errors[key] = [_("Choose a score from 1 to 5, or any.")]
        clean[key] = value
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    return clean


def segment_customers(filters: dict, *, clock: Clock = default_clock) -> QuerySet[Customer]:
    """The customers a (clean) filter selects."""
    now = clock.now()
    since = now - timedelta(days=ACTIVITY_DAYS)
    customers = customer_segment_list(name=filters["standing"]) if filters.get("standing") else Customer.objects.all()
    recent = Exists(Activity.objects.filter(customer_id=OuterRef("pk"), occurred_at__gte=since))
    if filters.get("activity") == "new":
        customers = customers.filter(created_at__gte=since)
    elif filters.get("activity") == "active":
        customers = customers.filter(recent)
    elif filters.get("activity") == "silent":
        customers = customers.filter(created_at__lt=since).exclude(recent)
    for key, field in RFM_FIELDS.items():
        if filters.get(key):
            customers = customers.filter(**{f"{field}__gte": filters[key]})
    return customers.order_by("id")


def segment_save(*, segment: Segment | None = None, name, filters) -> Segment:
    clean = segment_filters_clean(filters)
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 60:
        raise ValidationFailed(_("Some fields are invalid."), fields={"name": [_("Enter a name of at most 60 characters.")]})
    with transaction.atomic():
        if segment is None:
            return Segment.objects.create(name=name.strip(), filters=clean)
        segment.name, segment.filters = name.strip(), clean
        segment.save(update_fields=["name", "filters"])
    return segment


def segment_describe(filters: dict) -> str:
    """The filter in words, for the pages."""
    parts = []
    if filters.get("activity"):
        parts.append(str(ACTIVITIES[filters["activity"]]))
    if filters.get("standing"):
        parts.append(str(STANDINGS[filters["standing"]]))
    for key, label in (("r_min", "R"), ("f_min", "F"), ("m_min", "M")):
        if filters.get(key):
            parts.append(f"{label} ≥ {filters[key]}")
    return " · ".join(parts) or _("All customers")
