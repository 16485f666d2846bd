"""allauth's failed-login lockout as the API answers it: every sign-in endpoint (password,
phone code) counts toward one limit and names the same Retry-After."""
from allauth.account import app_settings as allauth_settings
from allauth.core.internal.ratelimit import parse_rates


def lockout_seconds() -> int:
    """How long allauth's failed-login lockout can last: its longest window (the 429's Retry-After)."""
    rates = parse_rates(allauth_settings.RATE_LIMITS.get("login_failed"))
    return int(max((rate.duration for rate in rates), default=60))
