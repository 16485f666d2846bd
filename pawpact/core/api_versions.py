"""The dated versions of the shop API (their rules: pawpact.api.versioning), here so that what
pins a version when it is made (a secret key, in pawpact.accounts) names the current one."""

VERSIONS = ("2026-12-01", "2026-12-15")
LATEST = VERSIONS[-1]
