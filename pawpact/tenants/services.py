"""Writes on shops: provisioning, activation state, login hand-off."""
import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import ValidationFailed
from pawpact.tenants.enums import ShopEventKind, ShopMode, ShopState
from pawpact.tenants.errors import IllegalShopTransition, ProvisioningFailed, SlugTaken
from pawpact.tenants.models import Domain, LoginHandoff, Shop, ShopEvent
from pawpact.tenants.ports import shop_side
from pawpact.tenants.slugs import schema_name_for
from pawpact.tenants.template import schema_create_from_template

logger = logging.getLogger(__name__)
HANDOFF_LIFETIME = timedelta(minutes=2)

# The allowed state transitions of a shop, each with the event it logs.
_TRANSITION_EVENTS = {
    (ShopState.PROVISIONING, ShopState.ACTIVE): ShopEventKind.ACTIVATED,
    (ShopState.ACTIVE, ShopState.DEACTIVATED): ShopEventKind.DEACTIVATED,
    (ShopState.DEACTIVATED, ShopState.ACTIVE): ShopEventKind.REACTIVATED,
}


def shop_domain(slug: str) -> str:
    return f"{slug}.{settings.PAWPACT_BASE_DOMAIN}"


def shop_provision(*, name: str, slug: str, owner: User, clock: Clock = default_clock) -> Shop:
    """Create a live shop: row, domain, schema from the template, owner as its administrator.

    Everything happens in one transaction, so a failure at any step leaves no
    Shop, no Domain and no schema behind. Of two people claiming one slug at the
    same moment, the unique index lets exactly one through.
    """
    try:
        with transaction.atomic():
            shop = Shop.objects.create(
                schema_name=schema_name_for(slug),
                name=name,
                slug=slug,
                owner=owner,
                state=ShopState.ACTIVE,
                created_at=clock.now(),
            )
            Domain.objects.create(domain=shop_domain(slug), tenant=shop, is_primary=True)
            schema_create_from_template(shop.schema_name)
            _shop_administrator_create(shop=shop, owner=owner)
            ShopEvent.objects.create(shop=shop, kind=ShopEventKind.CREATED, actor=owner, at=clock.now())
    except IntegrityError as error:
        if Shop.objects.filter(slug=slug).exists():
            raise SlugTaken(
                _("The address %(slug)s was just taken. Please choose another.") % {"slug": slug},
                fields={"slug": [_("This address is taken.")]},
            ) from error
        raise _provisioning_failed(slug, error) from error
    except Exception as error:
        # Whatever broke, the transaction is rolled back: say so instead of a server error.
        raise _provisioning_failed(slug, error) from error
    return shop


def _provisioning_failed(slug: str, error: Exception) -> ProvisioningFailed:
    logger.exception("Provisioning shop %s failed; nothing was kept", slug)
    return ProvisioningFailed(
        _("Your shop could not be set up (%(reason)s). Nothing was saved; please try again.")
        % {"reason": type(error).__name__}
    )


def _shop_administrator_create(*, shop: Shop, owner: User) -> User:
    """The owner's account inside the shop, with the same password (hash copied)."""
    with schema_context(shop.schema_name):
        return User.objects.create(
            email=owner.email,
            name=owner.name,
            phone=owner.phone,
            password=owner.password,
            is_staff=True,
            is_superuser=True,
        )


def shop_set_state(*, shop: Shop, state: ShopState, actor: User, reason: str = "", clock: Clock = default_clock) -> Shop:
    """Deactivate or reactivate a shop. Deactivated shops keep every row."""
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        if shop.is_platform or (shop.state, state) not in _TRANSITION_EVENTS:
            raise IllegalShopTransition(
                _("A shop that is %(current)s cannot become %(target)s.")
                % {"current": ShopState(shop.state).label, "target": ShopState(state).label}
            )
        kind = _TRANSITION_EVENTS[(shop.state, state)]
        shop.state = state
        shop.save(update_fields=["state"])
        ShopEvent.objects.create(shop=shop, kind=kind, actor=actor, reason=reason, at=clock.now())
        if state == ShopState.DEACTIVATED:
            # A closed shop's debits stop. A broker outage must not fail the deactivation;
            # the daily sweep sends the closure again.
            schema_name = shop.schema_name
            transaction.on_commit(lambda: shop_side().closure_start(schema_name=schema_name), robust=True)
    return shop


def shop_mode_change(*, shop: Shop, mode: str, actor: User, reason: str = "", clock: Clock = default_clock) -> Shop:
    """Put a shop in test or live mode, logged. Records keep the mode they were born in;
    the checks before going live are the platform's (pawpact.platform.golive)."""
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        if shop.is_platform or mode not in ShopMode.values or shop.mode == mode:
            raise IllegalShopTransition(
                _("A shop in %(current)s cannot switch to %(target)s.")
                % {"current": ShopMode(shop.mode).label, "target": ShopMode(mode).label if mode in ShopMode.values
                   else mode}
            )  # fmt: skip
        shop.mode = mode
        shop.save(update_fields=["mode"])
        kind = ShopEventKind.WENT_LIVE if mode == ShopMode.LIVE else ShopEventKind.BACK_TO_TEST
        ShopEvent.objects.create(shop=shop, kind=kind, actor=actor, reason=reason, at=clock.now())
    return shop


def login_handoff_issue(*, shop: Shop, email: str, clock: Clock = default_clock) -> str:
    """A ticket the shop's host exchanges once for a session; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    LoginHandoff.objects.create(
        token_hash=_hash(token), shop=shop, email=email, expires_at=clock.now() + HANDOFF_LIFETIME
    )
    return token


def login_handoff_redeem(*, shop: Shop, token: str, clock: Clock = default_clock) -> User | None:
    """The shop user the ticket names, or None if it is unknown, used, expired or for another shop."""
    # LoginHandoff is a public table, which stays on a shop connection's search path.
    with transaction.atomic():
        handoff = (
            LoginHandoff.objects.select_for_update()
            .filter(token_hash=_hash(token), shop=shop, used_at__isnull=True, expires_at__gt=clock.now())
            .first()
        )
        if handoff is None:
            return None
        handoff.used_at = clock.now()
        handoff.save(update_fields=["used_at"])
        return User.objects.filter(email=handoff.email, is_active=True).first()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shop_rename(*, shop: Shop, name: str) -> Shop:
    """The shop's display name (its address, the slug, never changes: links and the schema use it)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_("Some fields are invalid."), fields={"name": [_("Enter a name of at most 120 characters.")]})
    with transaction.atomic():
        Shop.objects.filter(pk=shop.pk).update(name=name)
        shop.name = name
    return shop
