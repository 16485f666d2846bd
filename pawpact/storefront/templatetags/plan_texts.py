"""A plan's entitlements on the customer's pages, worded as the API and the back office word them."""
from django import template

from pawpact.billing.plan_texts import entitlement_text

register = template.Library()
register.filter("entitlement", entitlement_text)
