"""Sections of the shop schema's description that a developer needs before the first call
(how to authenticate, retry, pin a version, verify a webhook, move time in test mode), as
translatable texts: the schema is served in the request's language, and a shop's developer
has only what the shop serves, not the repository's docs."""
from django.utils.translation import gettext_lazy as _

GUIDE_PATH = "/api/v1/guide"

GUIDE_LINE = _("Guide: %(path)s (the developer guide: getting started, every rule, the error codes).")

SECTIONS = (
    (
        _("Authentication"),
        _(
            "Two kinds of credential, both in the `Authorization` header:\n"
            "- **Secret API key** (your server): `Authorization: Bearer sk_test_…` on a shop in test mode, "
            "`Bearer sk_live_…` on a live shop (the other mode answers 401 `api_key_wrong_mode`). The shop's "
            "owner makes one in the workspace (Settings › Developers › Create secret key), or signs in with "
            "`POST /auth/token` and calls `POST /api-keys` `{\"name\"}` with that token; the `secret` is shown "
            "once. A key acts with its owner's staff permissions until it is revoked, and answers in the API "
            "version current when it was made (`api_version`). Keep it on your server, "
            "never in a mini-program or a web page.\n"
            "- **Device token** (apps, mini-programs, H5 pages): `Authorization: Token <token>` from "
            "`POST /auth/token`, `/auth/sms`, `/auth/wechat` or `/customers/register/confirm`. It is valid 2 "
            "hours (then 401 `token_expired`): exchange the refresh token at `POST /auth/refresh`."
        ),
    ),
    (
        _("Idempotency"),
        _(
            "Send `Idempotency-Key: <a fresh UUID>` on every `POST` that creates or moves something; it is "
            "required where money moves (400 `idempotency_key_required`). A retry with the same key and request "
            "answers the first answer again (`Idempotent-Replayed: true`) and does nothing twice; another "
            "request with that key answers 422 `idempotency_key_reused`; an empty, longer than 255 or "
            "non-ASCII key 400 `idempotency_key_invalid`. Keys are kept 24 hours per credential."
        ),
    ),
    (
        _("Versions"),
        _(
            "Versions are dates (`Pawpact-Version: 2026-12-15`). A request is answered in the version its "
            "`Pawpact-Version` header names, else the one its secret key was made in or its device token signed "
            "in with, else the latest; "
            "every answer names its version in the same header. Adding fields, operations or error codes "
            "makes no new version; removing, renaming or retyping a field does. Send the header from your "
            "servers so a new version never changes what they read."
        ),
    ),
    (
        _("Webhook signatures"),
        _(
            "Every webhook is posted with `Pawpact-Signature: t=<unix seconds>,v1=<hex>`, where `v1` is "
            "HMAC-SHA256 of `\"<t>.\" + the raw body` keyed with the endpoint's `whsec_…` secret (shown once "
            "when the endpoint is made). Verify it over the raw bytes, compare in constant time, and refuse a "
            "`t` more than 5 minutes from your clock. An event may arrive more than once: deduplicate on its "
            "`id`. Answer 2xx within 10 seconds, else it is retried for three days."
        ),
    ),
    (
        _("Test clocks"),
        _(
            "In test mode, `POST /test-clocks` makes a clock, `POST /test-clocks/{id}/attach` puts contracts "
            "on it and `POST /test-clocks/{id}/advance` `{\"months\": n}` runs months of billing for those "
            "contracts in seconds: debits, retries, reminders, renewals and their webhooks happen at the "
            "clock's time, and events carry that time."
        ),
    ),
)


def description_sections() -> str:
    """The sections above as markdown, in the active language."""
    return "\n\n".join(f"## {title}\n{body}" for title, body in SECTIONS)


def guide_line() -> str:
    return str(GUIDE_LINE) % {"path": GUIDE_PATH}
