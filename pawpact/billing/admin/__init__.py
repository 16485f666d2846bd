"""The shop's back office for billing: plans and their versions, customers, pets, contracts.

Writes that carry rules go through the services (a new plan version, a new
customer or pet, ID verification); contracts are read-only here because every
change of a contract is a step of the signing flow or a later transition service.
Billing tables exist only in shop schemas, so none of this shows on the public site.
"""
from pawpact.billing.admin import contracts, dunning, plans  # noqa: F401 (registers the admin classes)
