"""The platform API (public domain, platform admins only): funding, KPI ranking, risk overrides."""
