"""Debit agreements on the Chinese rails: Alipay 周期扣款 and WeChat 委托代扣.

1. `agreement_sign_begin`: the provider's signing page for a draft or signed contract (a
   link to open on the customer's phone, or to show as a QR code), with the contract's
   calendar as the agreement's period rules; the contract's uuid is our agreement code.
2. The provider notifies the signing (pawpact.billing.notifications); `agreement_signed_apply`
   saves the agreement as the customer's payment method (token = agreement_no or
   contract_id), in the contract's mode, and chooses it for the contract.
3. `agreement_end`: when the contract ends (termination, pet loss, default, shop
   closure, completion), the agreement is unsigned at the provider.
Debits then go through the rail like any other (pawpact.payments.registry).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pawpact.billing.enums import OPEN_CONTRACT_STATUSES, ContractStatus
from pawpact.billing.errors import IllegalTransition, InvalidPaymentMethod
from pawpact.billing.models import Contract, DebitPeriod, PaymentMethod
from pawpact.billing.services.queued_activation import activation_queue
from pawpact.billing.services.signing import contract_attach_payment_method
from pawpact.core.clock import Clock, default_clock
from pawpact.core.money import Money
from pawpact.payments.alipay import AlipayRail
from pawpact.payments.enums import Rail
from pawpact.payments.errors import NotificationRejected
from pawpact.payments.registry import rail_for
from pawpact.payments.wechat import WechatRail

logger = logging.getLogger(__name__)
AGREEMENT_RAILS = (Rail.ALIPAY, Rail.WECHAT)
# Stored in English and worded at display in the reader's language (PaymentMethod.shown_label).
LABELS = {Rail.ALIPAY: gettext_noop("Alipay auto-debit"), Rail.WECHAT: gettext_noop("WeChat Pay auto-debit")}


# WeChat's own signing mini-program, which a shop's mini-program opens with the pre-sign id.
WECHAT_PAPAY_MINI_PROGRAM = {"app_id": "wxbd687630cd02ce1d", "path": "pages/index/index"}


@dataclass(frozen=True)
class AgreementStart:
    rail: str
    url: str  # open it on the customer's phone, or show it as a QR code
    code: str  # our agreement code: the contract's uuid, hex
    pre_entrustweb_id: str = ""  # WeChat only: what its signing mini-program is opened with

    @property
    def mini_program(self) -> dict | None:
        if not self.pre_entrustweb_id:
            return None
        return {**WECHAT_PAPAY_MINI_PROGRAM, "extra_data": {"pre_entrustweb_id": self.pre_entrustweb_id}}


def agreement_code(contract: Contract) -> str:
    return contract.uuid.hex


def agreement_sign_begin(
    *, contract: Contract, rail: str, return_url: str = "", clock: Clock = default_clock
) -> AgreementStart:
    """The page where the adopter signs a debit agreement for `contract` on `rail`; Alipay
    sends the phone back to `return_url` after signing."""
    if rail not in AGREEMENT_RAILS:
        raise InvalidPaymentMethod.on_field(_("Debit agreements exist on Alipay and WeChat Pay only."))
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.SIGNED):
        raise IllegalTransition(_("A debit agreement is signed before the contract starts."))
    adapter = rail_for(rail, livemode=contract.livemode)
    code = agreement_code(contract)
    if rail == Rail.ALIPAY:
        assert isinstance(adapter, AlipayRail)
        first = DebitPeriod.objects.filter(contract=contract).order_by("number").first()
        url = adapter.agreement_sign_url(
            external_agreement_no=code, single_amount=Money(contract.monthly_amount_minor, contract.currency),
            total_payments=contract.periods, first_debit=first.due_date if first else clock.today(),
            notify_url=adapter.notify_url, return_url=return_url,
        )  # fmt: skip
        return AgreementStart(rail=rail, url=url, code=code)
    assert isinstance(adapter, WechatRail)
    presign = adapter.contract_presign(
        out_contract_code=code, display_account=contract.customer.name, notify_url=adapter.notify_url,
        out_user_code=contract.customer.uuid.hex,
    )  # fmt: skip
    return AgreementStart(
        rail=rail, url=presign["redirect_url"], code=code, pre_entrustweb_id=presign.get("pre_entrustweb_id", "")
    )


def _contract_for_code(code: str, *, livemode: bool) -> Contract:
    try:
        contract_uuid = UUID(hex=code)
    except (TypeError, ValueError):
        contract_uuid = None
    contract = Contract.objects.select_related("customer").filter(uuid=contract_uuid).first() if contract_uuid else None
    if contract is None:
        raise NotificationRejected(_("The agreement is for no contract of this shop."))
    if contract.livemode != livemode:
        raise NotificationRejected(_("The agreement was signed in the other mode than its contract."))
    return contract


def agreement_signed_apply(*, rail: str, code: str, agreement_no: str, user_ref: str, livemode: bool) -> PaymentMethod:
    """The provider says the adopter signed: save the agreement as their payment method and
    choose it for the contract. A repeated notice finds the method saved already."""
    contract = _contract_for_code(code, livemode=livemode)
    with transaction.atomic():
        method, created = PaymentMethod.objects.get_or_create(
            rail=rail, token=agreement_no,
            defaults={"customer": contract.customer, "rail_customer_ref": user_ref[:255], "label": LABELS[rail],
                      "livemode": livemode},
        )  # fmt: skip
        if method.customer_id != contract.customer_id or method.livemode != livemode:
            raise NotificationRejected(_("This agreement belongs to another customer."))
        if contract.payment_method_id != method.pk and contract.status in (ContractStatus.DRAFT, ContractStatus.SIGNED):
            contract_attach_payment_method(contract=contract, payment_method=method)
        if contract.status == ContractStatus.SIGNED:
            # The customer may never come back to the signing page: the plan starts by itself.
            activation_queue(contract=contract)
    if created:
        logger.info("%s agreement %s saved for contract %s", rail, agreement_no, contract.uuid)
    return method


def agreement_end_on_contract_terminated(*, payload: dict, clock: Clock = default_clock) -> None:
    """Subscriber of contract.terminated (any end: completion, early, pet loss, default, shop
    closure): the contract's debit agreement is unsigned, unless another open contract of
    the customer still debits through it."""
    contract = Contract.objects.select_related("payment_method").filter(uuid=payload["contract_uuid"]).first()
    method = contract.payment_method if contract is not None else None
    if method is None or method.rail not in AGREEMENT_RAILS:
        return
    still_used = Contract.objects.filter(payment_method=method, status__in=OPEN_CONTRACT_STATUSES).exists()
    if not still_used:
        agreement_end(payment_method=method, reason=str(payload.get("reason", "")))


def agreement_end(*, payment_method: PaymentMethod, reason: str) -> None:
    """Unsign the agreement at the provider and stop using it (contract over, pet lost, shop closed).
    An agreement the provider no longer knows counts as ended."""
    if payment_method.rail not in AGREEMENT_RAILS or not payment_method.is_active:
        return
    adapter = rail_for(payment_method.rail, livemode=payment_method.livemode)
    if isinstance(adapter, AlipayRail):
        adapter.agreement_unsign(agreement_no=payment_method.token)
    elif isinstance(adapter, WechatRail):
        adapter.contract_terminate(contract_id=payment_method.token, remark=reason)
    PaymentMethod.objects.filter(pk=payment_method.pk).update(is_active=False)
