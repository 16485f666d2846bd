"""Advance funding (垫资): funding terms, advances, collections, clawbacks, the daily
settlement run, settlement statements, and the platform's double-entry ledger."""
