"""Shops' subscription to Pawpact: SaaS plans, free trial, monthly
invoices charged through a payment adapter, grace period, read-only back office.

Shops created without the signup flow (demo data, tests) have no subscription and
are treated as active with no contract limit.
"""
