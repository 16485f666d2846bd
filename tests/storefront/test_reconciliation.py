"""Shop orders paid on a statement rail are matched against the provider's daily statement
line by line, like plan debits: charges by the order payment's key, refunds by the refund's."""
from django_tenants.utils import schema_context

from pawpact.billing.models import RailRefund
from pawpact.billing.services.reconciliation import reconciliation_run_shop
from pawpact.core.clock import default_clock
from pawpact.payments.gateways import out_trade_no
from pawpact.platform.drain import outbox_drain_and_apply
from pawpact.platform.models import ReconciliationMismatch
from pawpact.storefront.enums import OrderStatus, PaymentStatus
from pawpact.storefront.models import OrderPayment, OrderRefund, ShippingAddress
from pawpact.storefront.selectors import order_charges_for_reconciliation
from pawpact.storefront.services.catalog import product_save
from pawpact.storefront.services.orders import cart_set, checkout
from pawpact.storefront.services.refunds import order_refund
from tests.payments.gateways import alipay_credentials, fake_alipay  # noqa: F401 (fixture)
from tests.payments.test_reconciliation import _alipay_contract, _today

SKU = "FC-0001"


def _alipay_order(shop, gateway):
    """A customer whose Alipay agreement pays a ¥258.00 order (2 × ¥129.00)."""
    contract = _alipay_contract(shop, gateway)
    with schema_context(shop.schema_name):
        customer = contract.customer
        if not ShippingAddress.objects.filter(customer=customer).exists():
            ShippingAddress.objects.create(customer=customer, name="王芳", phone="13800138000", province="上海市",
                                           city="上海市", address="世纪大道 100 号")  # fmt: skip
        cart_set(customer=customer, product=product_save(sku=SKU, price_minor=12_900), quantity=2)
        order = checkout(customer=customer, payment_method=contract.payment_method, checkout_key="alipay-order")
        assert (order.status, order.total_minor) == (OrderStatus.PAID, 25_800)
        return order


def test_order_charges_and_refunds_are_matched_and_mismatches_listed(shop, linked, fake_alipay):  # noqa: F811
    alipay_credentials(shop, fake_alipay)
    order = _alipay_order(shop, fake_alipay)
    with schema_context(shop.schema_name):
        payment = OrderPayment.objects.get(order=order, status=PaymentStatus.SUCCEEDED)
        refund = order_refund(order=order, amount_minor=5_000, reason="goodwill")
        assert refund.status == PaymentStatus.SUCCEEDED
        assert RailRefund.objects.get(idempotency_key=refund.idempotency_key).amount_minor == 5_000
        assert reconciliation_run_shop(day=_today()) == {"alipay/test": 0}
    # The provider lost the order's charge and took 1 fen less on its refund.
    app_id = next(iter(fake_alipay.apps))
    fake_alipay.trades.pop((app_id, out_trade_no(payment.idempotency_key)))
    changed = [r for (_trade, no), r in fake_alipay.refunds.items() if no == out_trade_no(refund.idempotency_key)]
    assert len(changed) == 1
    changed[0]["refund_amount"] = "49.99"
    with schema_context(shop.schema_name):
        assert reconciliation_run_shop(day=_today()) == {"alipay/test": 2}
        outbox_drain_and_apply(shop=shop, clock=default_clock)
    rows = ReconciliationMismatch.objects.filter(shop=shop, resolved_at__isnull=True).order_by("kind")
    assert [(m.kind, m.reference, m.amount_minor, m.our_amount_minor) for m in rows] == [
        ("amount_differs", out_trade_no(refund.idempotency_key), -4_999, -5_000),
        ("missing_at_provider", out_trade_no(payment.idempotency_key), 0, 25_800),
    ]
    with schema_context(shop.schema_name):
        assert OrderRefund.objects.count() == 1  # reconciling moved nothing


def test_order_charges_of_one_shop_are_not_matched_in_another(shop, other_shop, linked, fake_alipay):  # noqa: F811
    alipay_credentials(shop, fake_alipay)
    _alipay_order(shop, fake_alipay)
    with schema_context(other_shop.schema_name):
        assert order_charges_for_reconciliation(rail="alipay", livemode=False, start=None, end=None) == []
    with schema_context(shop.schema_name):
        records = order_charges_for_reconciliation(rail="alipay", livemode=False, start=None, end=None)
        assert [(r.amount_minor, r.moved_at is not None) for r in records] == [(25_800, True)]
