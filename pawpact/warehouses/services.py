"""Onboarding a warehouse, checking it, importing its catalog, linking shops, receiving callbacks."""
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pawpact.core.clock import Clock, default_clock
from pawpact.core.errors import Conflict, ValidationFailed
from pawpact.tenants.models import Shop
from pawpact.tenants.secrets import text_decrypt, text_encrypt
from pawpact.warehouses.client import WarehouseClient
from pawpact.warehouses.enums import EventType, ImportStatus, SkuCategory, WarehouseStatus
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses.models import CatalogImport, Shipment, Warehouse, WarehouseEvent, WarehouseLink, WarehouseSku
from pawpact.warehouses.reasons import CHECK_PASSED, reason_of, reason_text
from pawpact.warehouses.signing import signature_verify
from pawpact.warehouses.stock import stock_apply

logger = logging.getLogger(__name__)
PAGE_SIZE = 500
_ORDER_ID = re.compile(r"[0-9a-fA-F-]{32,36}")
MIN_SKUS = 1000  # SPEC §4: a warehouse is onboarded with at least 1,000 SKUs
IMPORT_STALE = timedelta(minutes=30)  # a running import with no end after this lost its worker


def _credentials_check(*, base_url: str, key_id: str, secret: str | None) -> None:
    errors = {}
    if not base_url.startswith(("http://", "https://")):
        errors["base_url"] = [_("Enter an http:// or https:// address.")]
    if secret is not None and len(secret) < 16:
        errors["secret"] = [_("The shared secret needs at least 16 characters.")]
    if not key_id.strip():
        errors["key_id"] = [_("Enter the key id the warehouse gave you.")]
    if errors:
        raise ValidationFailed(_("The warehouse's details are invalid."), fields=errors)


def warehouse_register(*, code: str, name: str, base_url: str, key_id: str, secret: str) -> Warehouse:
    _credentials_check(base_url=base_url, key_id=key_id, secret=secret)
    # The same address and key would be one warehouse twice: checking either re-points its callbacks.
    twin = Warehouse.objects.filter(base_url=base_url.rstrip("/"), key_id=key_id.strip()).first()
    if twin is not None and twin.code != code:
        raise Conflict(_("%(name)s is registered with this address and key id already.") % {"name": twin.name},
                       fields={"base_url": [_("Already registered.")]})  # fmt: skip
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                code=code, name=name, base_url=base_url.rstrip("/"), key_id=key_id.strip(),
                secret_encrypted=text_encrypt(secret),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(_("A warehouse with this code exists."), fields={"code": [_("Choose another code.")]}) from None


def warehouse_credentials_update(*, warehouse: Warehouse, base_url: str, key_id: str, secret: str = "") -> Warehouse:
    """New address or key id; a new shared secret only when one is given (the old one is never shown).
    The last check no longer speaks for the new credentials, so it is cleared."""
    _credentials_check(base_url=base_url, key_id=key_id, secret=secret or None)
    warehouse.base_url, warehouse.key_id = base_url.rstrip("/"), key_id.strip()
    if secret:
        warehouse.secret_encrypted = text_encrypt(secret)
    warehouse.last_check_at, warehouse.last_check_ok, warehouse.last_check_message = None, None, ""
    warehouse.last_check_code, warehouse.last_check_params = "", {}
    with transaction.atomic():
        warehouse.save(update_fields=["base_url", "key_id", "secret_encrypted", "last_check_at", "last_check_ok",
                                      "last_check_message", "last_check_code", "last_check_params"])  # fmt: skip
    return warehouse


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    code: str
    params: dict
    skus: int = 0

    @property
    def message(self) -> str:
        return reason_text(self.code, self.params)


def warehouse_check(*, warehouse: Warehouse, callback_url: str, clock: Clock = default_clock) -> CheckResult:
    """Ping with a signed request and register our callback URL; the outcome is kept on the
    warehouse as a code (worded for whoever reads it)."""
    client = WarehouseClient.for_warehouse(warehouse)
    try:
        ping = client.call("GET", "/v1/ping")
        client.call("PUT", "/v1/callback", payload={"url": callback_url})
        skus = int(ping.get("skus") or 0)
        params = {"skus": ping.get("skus", "?"), **({"sandbox": True} if ping.get("sandbox") is True else {})}
        result = CheckResult(ok=True, code=CHECK_PASSED, params=params, skus=skus)
    except (WarehouseRefused, WarehouseUnavailable) as error:
        code, params = reason_of(error)
        if warehouse.sandbox_known:  # still a sandbox while down: its test controls stay on the console
            params = {**params, "sandbox": True}
        result = CheckResult(ok=False, code=code, params=params)
    Warehouse.objects.filter(pk=warehouse.pk).update(
        last_check_at=clock.now(), last_check_ok=result.ok, last_check_code=result.code, last_check_params=result.params,
        last_check_message="",
    )  # fmt: skip
    return result


def catalog_import_start(*, warehouse: Warehouse, expected_items: int | None = None) -> CatalogImport:
    """A new import, or the one already running (a second click does not start a second worker)."""
    running = warehouse.imports.filter(status=ImportStatus.RUNNING, started_at__gte=timezone.now() - IMPORT_STALE).first()
    if running is not None:
        return running
    return CatalogImport.objects.create(warehouse=warehouse, expected_items=expected_items)


def catalog_import_refused(*, warehouse: Warehouse, check: CheckResult) -> CatalogImport:
    """An import that could not start because the check before it failed: recorded as a failed
    run so the progress area says why (and the admin can fix the credentials and retry)."""
    with transaction.atomic():
        return CatalogImport.objects.create(
            warehouse=warehouse, status=ImportStatus.FAILED, error_code=check.code, error_params=check.params,
            finished_at=timezone.now(),
        )  # fmt: skip


def catalog_import_run(*, run: CatalogImport) -> CatalogImport:
    """Page through the catalog feed, upserting SKUs; progress is saved after every page."""
    client = WarehouseClient.for_warehouse(run.warehouse)
    cursor = ""
    try:
        while True:
            page = client.call("GET", "/v1/catalog", query={"cursor": cursor, "limit": PAGE_SIZE})
            items = page.get("items") or []
            _skus_upsert(warehouse_id=run.warehouse_id, items=items)
            run.pages += 1
            run.items += len(items)
            run.save(update_fields=["pages", "items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    except (WarehouseRefused, WarehouseUnavailable) as error:
        run.status, run.finished_at = ImportStatus.FAILED, timezone.now()
        run.error_code, run.error_params = reason_of(error)
        run.save(update_fields=["status", "error_code", "error_params", "finished_at"])
        return run
    run.status, run.finished_at = ImportStatus.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    if run.items >= MIN_SKUS:
        Warehouse.objects.filter(pk=run.warehouse_id, status=WarehouseStatus.ONBOARDING).update(status=WarehouseStatus.ACTIVE)
    return run


def _skus_upsert(*, warehouse_id: int, items: list[dict]) -> None:
    """New SKUs created, known ones updated (stock only when the report is newer)."""
    categories = set(SkuCategory.values)
    rows = [
        WarehouseSku(
            warehouse_id=warehouse_id, sku=str(item["sku"])[:40], name=str(item.get("name", ""))[:200],
            name_en=str(item.get("name_en", ""))[:200], description=str(item.get("description") or "")[:2000],
            description_en=str(item.get("description_en") or "")[:2000], image_urls=_image_urls(item.get("image_urls")),
            category=item.get("category") if item.get("category") in categories else SkuCategory.FOOD,
            unit=str(item.get("unit", ""))[:40], weight_g=max(0, int(item.get("weight_g") or 0)),
            cost_minor=max(0, int(item["cost_minor"])), currency=str(item.get("currency") or "CNY")[:3],
            available=0, stock_version=0, is_active=bool(item.get("is_active", True)), updated_at=timezone.now(),
        )
        for item in items
    ]  # fmt: skip
    WarehouseSku.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["warehouse", "sku"],
        update_fields=["name", "name_en", "description", "description_en", "image_urls", "category", "unit",
                       "weight_g", "cost_minor", "currency", "is_active", "updated_at"],
    )  # fmt: skip
    stock_apply(warehouse_id=warehouse_id, items=items)


def _image_urls(value) -> list[str]:
    """At most ten http(s) URLs: anything else a feed sends is left out rather than shown to customers."""
    if not isinstance(value, list):
        return []
    urls = [url for url in value if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 500]
    return urls[:10]


def shop_link(*, shop: Shop, warehouse: Warehouse) -> WarehouseLink:
    if warehouse.status != WarehouseStatus.ACTIVE:
        raise Conflict(_("Only an onboarded warehouse (catalog imported) can be linked."), fields={"warehouse": [_("Not onboarded yet.")]})
    with transaction.atomic():
        link, _created = WarehouseLink.objects.update_or_create(shop=shop, defaults={"warehouse": warehouse})
    return link


def event_receive(*, warehouse: Warehouse, method: str, path: str, body: bytes, headers) -> tuple[WarehouseEvent, bool]:
    """Verify and store one callback (before answering it); a repeated event id returns the
    stored row and False. Raises SignatureRefused (401) or ValidationFailed, storing nothing."""
    signature_verify(key_id=warehouse.key_id, secret=text_decrypt(warehouse.secret_encrypted),
                     method=method, path=path, body=body, headers=headers)  # fmt: skip
    try:
        event = json.loads(body)
        event_id, kind, data = str(event["event_id"])[:64], event["type"], event["data"]
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed(_("The callback is not a warehouse event.")) from None
    if kind not in EventType.values or not isinstance(data, dict):
        raise ValidationFailed(_("Unknown event type."), fields={"type": [str(kind)[:40]]})
    try:
        with transaction.atomic():
            return WarehouseEvent.objects.create(warehouse=warehouse, event_id=event_id, type=kind, payload=data), True
    except IntegrityError:
        return WarehouseEvent.objects.get(warehouse=warehouse, event_id=event_id), False


def stock_reconcile(*, warehouse: Warehouse) -> int:
    """Pull every stock level (for callbacks that were lost) and apply the newer ones."""
    client = WarehouseClient.for_warehouse(warehouse)
    cursor, changed = "", 0
    while True:
        page = client.call("GET", "/v1/stock", query={"cursor": cursor, "limit": 1000})
        changed += stock_apply(warehouse_id=warehouse.pk, items=page.get("items") or [])
        cursor = page.get("next_cursor")
        if not cursor:
            return changed


def sandbox_dispatch_hold(*, warehouse: Warehouse, order_id: str = "", hold: bool) -> dict:
    """Tell a sandbox warehouse to hold (or release) dispatch of one order or of every order,
    so staff can try a dispatch-SLA breach. Only a warehouse whose last passing check said it
    is a sandbox: a partner warehouse has no such control. One order is named by the shop's
    number (SO…) as staff pages show it, or by the warehouse's id for it (a UUID)."""
    if not warehouse.is_sandbox:
        raise Conflict(_("Only a sandbox warehouse can be told to hold dispatch."))
    order_id = _warehouse_order_id(warehouse, order_id.strip())
    body = {"order_id": order_id, "hold": hold} if order_id else {"all": True, "hold": hold}
    return WarehouseClient.for_warehouse(warehouse).call("POST", "/_sandbox/holds", payload=body)


def _warehouse_order_id(warehouse: Warehouse, given: str) -> str:
    if not given or _ORDER_ID.fullmatch(given):
        return given
    matches = list(Shipment.objects.filter(warehouse=warehouse, label__iexact=given).values_list("reference", flat=True)[:2])
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise ValidationFailed(_("Two shops have an order with this number: give the warehouse's id for it (a UUID)."),
                               fields={"order_id": [_("Ambiguous.")]})  # fmt: skip
    raise ValidationFailed(_("No order with this number has reached this warehouse."),
                           fields={"order_id": [_("Give an order number (SO…) of a parcel sent to this warehouse.")]})  # fmt: skip


def sandbox_fault_set(*, warehouse: Warehouse, down: bool) -> dict:
    """Make a sandbox warehouse go down (every call answers 503) or come back, to try what
    shops see during an outage. Its test controls answer either way."""
    if not warehouse.sandbox_known:
        raise Conflict(_("Only a sandbox warehouse can be told to go down."))
    return WarehouseClient.for_warehouse(warehouse).call("POST", "/_sandbox/faults", payload={"down": down})


def new_secret() -> str:
    return secrets.token_urlsafe(32)
