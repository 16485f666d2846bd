"""Notifications from Alipay and WeChat Pay, on the shop's own host (so in its schema).

Each is verified with the shop's own credentials (RSA2 for Alipay; the APIv3 signature,
timestamp and AEAD encryption for WeChat), refused when stale, stored once in the
ProviderNotification inbox and applied once: a redelivery is acknowledged and changes
nothing, and a late one never changes a finished debit (`attempt_finish` leaves it as it
is). A notification about an agreement or a debit this shop does not have is refused
and logged; nothing moves.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pawpact.billing.models import DebitAttempt, PaymentMethod, ProviderNotification
from pawpact.billing.services.agreements import agreement_signed_apply
from pawpact.billing.services.debits import attempt_finish
from pawpact.core.errors import DomainError
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.base import ChargeResult
from pawpact.payments.enums import DeclineType, Rail
from pawpact.payments.errors import NotificationRejected
from pawpact.payments.gateways import fen, out_trade_no
from pawpact.payments.wechat import WechatRail, order_result

logger = logging.getLogger(__name__)
BEIJING = ZoneInfo("Asia/Shanghai")
# Alipay retries a notification for about 25 hours; anything older is a replay.
ALIPAY_MAX_AGE = timedelta(hours=48)
MODES = (True, False)


# --- receiving --------------------------------------------------------------------------


@csrf_exempt
@require_POST
def alipay_notification(request):
    try:
        applied = alipay_notification_receive(params=request.POST.dict())
    except NotificationRejected as error:
        logger.warning("Alipay notification refused: %s", error.message)
        return HttpResponse("fail", status=400, content_type="text/plain")
    logger.info("Alipay notification: %s", applied)
    return HttpResponse("success", content_type="text/plain")


@csrf_exempt
@require_POST
def wechat_notification(request):
    headers = {name: request.headers.get(name, "") for name in
               ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial",
                "Wechatpay-Signature-Type")}  # fmt: skip
    try:
        applied = wechat_notification_receive(headers=headers, body=request.body)
    except NotificationRejected as error:
        logger.warning("WeChat Pay notification refused: %s", error.message)
        return JsonResponse({"code": "FAIL", "message": error.message}, status=400)
    logger.info("WeChat Pay notification: %s", applied)
    return HttpResponse(status=204)


def _adapter_verifying(rail_class, verify) -> tuple[object, bool, object]:
    """The first of the shop's (live, then test) adapters whose credentials verify the notification."""
    for livemode in MODES:
        try:
            adapter = rail_class.for_current_shop(livemode=livemode)
        except DomainError:
            continue
        try:
            return adapter, livemode, verify(adapter)
        except NotificationRejected:
            continue
    raise NotificationRejected(_("No credentials of this shop verify the notification."))


def alipay_notification_receive(*, params: dict[str, str]) -> str:
    _adapter, livemode, data = _adapter_verifying(AlipayRail, lambda adapter: adapter.notification_verify(params))
    try:
        sent = datetime.strptime(data.get("notify_time", ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise NotificationRejected(_("The notification has no readable notify_time.")) from None
    if sent < timezone.now() - ALIPAY_MAX_AGE:
        raise NotificationRejected(_("The notification is too old to be trusted."))
    kind = data.get("notify_type", "")
    return _once(
        Rail.ALIPAY, data.get("notify_id", ""), kind, livemode, data, lambda: _alipay_apply(kind, data, livemode)
    )


def wechat_notification_receive(*, headers: dict[str, str], body: bytes) -> str:
    _adapter, livemode, event = _adapter_verifying(
        WechatRail, lambda adapter: adapter.notification_verify(headers=headers, body=body)
    )
    kind = str(event.get("event_type", ""))
    return _once(Rail.WECHAT, str(event.get("id", "")), kind, livemode, event,
                 lambda: _wechat_apply(kind, event["resource"], livemode))  # fmt: skip


def _once(provider: str, notification_id: str, kind: str, livemode: bool, payload: dict, apply) -> str:
    """Store the verified notification once and apply it in the same transaction; a
    redelivery (same id) is acknowledged without applying anything."""
    if not notification_id:
        raise NotificationRejected(_("The notification has no id."))
    try:
        with transaction.atomic():
            row = ProviderNotification.objects.create(
                provider=provider, notification_id=notification_id[:80], kind=kind[:40], livemode=livemode,
                payload=payload, status="received",
            )  # fmt: skip
            row.status, row.note = apply()
            row.save(update_fields=["status", "note"])
    except IntegrityError:
        return "duplicate: already received"
    return f"{row.status} {row.note}".strip()


# --- applying ---------------------------------------------------------------------------


def _attempt_for(key: str, number: str, livemode: bool) -> DebitAttempt:
    attempt = DebitAttempt.objects.select_related("period__contract").filter(idempotency_key=key).first()
    if attempt is None or out_trade_no(key) != number:
        raise NotificationRejected(_("The notification is about no debit of this shop."))
    if attempt.period.contract.livemode != livemode:
        raise NotificationRejected(_("The notification's mode is not its debit's mode."))
    return attempt


def _finish(attempt: DebitAttempt, result: ChargeResult | None) -> tuple[str, str]:
    if result is None or result.is_unknown:
        return "ignored", "not final yet"
    finished = attempt_finish(attempt_id=attempt.pk, result=result)
    return "applied", f"attempt {finished.idempotency_key} {finished.status}"


def _alipay_apply(kind: str, data: dict, livemode: bool) -> tuple[str, str]:
    if kind == "dut_user_sign" and data.get("status") == "NORMAL":
        method = agreement_signed_apply(
            rail=Rail.ALIPAY, code=data.get("external_agreement_no", ""), agreement_no=data.get("agreement_no", ""),
            user_ref=data.get("alipay_user_id", ""), livemode=livemode,
        )  # fmt: skip
        return "applied", f"agreement saved as payment method {method.pk}"
    if kind == "dut_user_unsign":
        count = PaymentMethod.objects.filter(rail=Rail.ALIPAY, token=data.get("agreement_no", "")).update(
            is_active=False
        )
        return "applied", f"{count} agreement(s) ended"
    if kind == "trade_status_sync":
        attempt = _attempt_for(data.get("passback_params", ""), data.get("out_trade_no", ""), livemode)
        state = data.get("trade_status")
        if state in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            if fen(data.get("total_amount", "0")) != attempt.amount_minor:
                raise NotificationRejected(_("The notification's amount is not the debit's."))
            result = ChargeResult(succeeded=True, outcome="succeeded", reference=data.get("trade_no", ""))
        elif state == "TRADE_CLOSED":
            result = ChargeResult(False, "trade_closed", data.get("trade_no", ""), decline_type=DeclineType.SOFT)
        else:
            result = None
        return _finish(attempt, result)
    return "ignored", f"notify_type {kind!r} not handled"


def _wechat_apply(kind: str, resource: dict, livemode: bool) -> tuple[str, str]:
    if kind == "PAPAY.SIGN" and resource.get("contract_state", "SIGNED") == "SIGNED":
        method = agreement_signed_apply(
            rail=Rail.WECHAT, code=resource.get("out_contract_code", ""), agreement_no=resource.get("contract_id", ""),
            user_ref=resource.get("openid", ""), livemode=livemode,
        )  # fmt: skip
        return "applied", f"contract saved as payment method {method.pk}"
    if kind == "PAPAY.TERMINATE":
        count = PaymentMethod.objects.filter(rail=Rail.WECHAT, token=resource.get("contract_id", "")).update(
            is_active=False
        )
        return "applied", f"{count} contract(s) ended"
    if kind.startswith("TRANSACTION."):
        attempt = _attempt_for(resource.get("attach", ""), resource.get("out_trade_no", ""), livemode)
        return _finish(attempt, order_result(resource, amount_minor=attempt.amount_minor))
    return "ignored", f"event {kind!r} not handled"
