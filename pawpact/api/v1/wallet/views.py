"""A customer's referral code, the points mall and stored value over the API. These are the
customer's own: a staff token answers 422 `customer_required`; a payment method or item of
someone else (or of another shop) answers 404/422 and moves nothing. Stored-value refunds are
the exception: staff (owner, manager) make them, and a customer reads their own."""
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from pawpact.api.errors import fields_as_sent
from pawpact.api.idempotency import idempotent
from pawpact.api.openapi import ERRORS
from pawpact.api.permissions import staff_may
from pawpact.api.query import query_valid
from pawpact.api.shared.views import LoyaltyApi, LoyaltyListApi
from pawpact.api.v1.wallet import serializers as s
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty import mall, referrals, stored_value, wallet_refunds
from pawpact.loyalty import wallet_selectors as selectors
from pawpact.loyalty.wallet_models import MallItem, StoredValueRefund


class WalletApi(LoyaltyApi):
    customer_required_message = gettext_lazy("Only a customer has a referral code, points and stored value.")


class WalletListApi(LoyaltyListApi):
    customer_required_message = WalletApi.customer_required_message


class ReferralApi(WalletApi):
    @extend_schema(summary=gettext_lazy("My referral code, share link and rewards"), responses={200: s.ReferralSerializer, **ERRORS})
    def get(self, request):
        customer = self.customer()
        code = referrals.code_for(customer=customer).code
        summary = selectors.referral_summary(customer=customer)
        return Response(s.ReferralSerializer({
            "code": code, "share_url": request.build_absolute_uri(reverse("referral_join", args=[code])),
            "referred": summary.referred, "converted": summary.converted, "points_earned": summary.points_earned,
            "credit_earned_minor": summary.credit_earned_minor, "currency": "CNY",
        }).data)  # fmt: skip


class ReferralClaimApi(WalletApi):
    @extend_schema(summary=gettext_lazy("Come with someone's referral code (before signing the first plan: ¥200 off the deposit)"),
                   request=s.ReferralClaimInputSerializer, responses={201: s.ReferralClaimSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        customer = self.customer()
        referral = referrals.claim(newcomer=customer, code=self.valid(s.ReferralClaimInputSerializer)["code"])
        return self.created(s.ReferralClaimSerializer({
            "uuid": referral.uuid, "code": referral.code, "status": referral.status,
            "deposit_discount_minor": referral.deposit_discount_minor or referrals.DEPOSIT_DISCOUNT_MINOR,
        }).data)  # fmt: skip


class MallItemListApi(WalletListApi):
    """Public: a mini-program shows the mall before anyone signs in (items carry no customer data)."""

    serializer_class = s.MallItemSerializer
    list_summary = gettext_lazy("The points mall's items on sale (no token needed)")
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.mall_items_on_sale()


class RedemptionListCreateApi(WalletListApi):
    serializer_class = s.RedemptionSerializer
    list_summary = gettext_lazy("My redemptions")

    def get_queryset(self):
        return selectors.redemption_list(customer=self.customer())

    @extend_schema(summary=gettext_lazy("Redeem an item: points deducted, stock reserved and the cash part paid at once"),
                   request=s.RedeemInputSerializer, responses={201: s.RedemptionSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        customer = self.customer()
        data = self.valid(s.RedeemInputSerializer)
        item = MallItem.objects.filter(pk=data["item_id"], active=True).first()
        if item is None:
            raise NotFound(_("Unknown mall item."), fields={"item_id": [_("Not on sale.")]})
        with fields_as_sent({"payment_method": "payment_method_id"}):
            method = self.payment_method(customer, data.get("payment_method_id"))
            redemption = mall.redeem(customer=customer, item=item, request_key=self.request_key(), payment_method=method)
        return self.created(s.RedemptionSerializer(redemption).data)


class StoredValueApi(WalletApi):
    @extend_schema(summary=gettext_lazy("My stored value: paid and gift parts"), responses={200: s.StoredValueSerializer, **ERRORS})
    def get(self, request):
        customer = self.customer()
        account = selectors.stored_value_of(customer=customer)
        refundable = wallet_refunds.refundable_minor(customer=customer)
        routes = wallet_refunds.routes_for(customer=customer, amount_minor=refundable) if refundable > 0 else []
        return Response(s.StoredValueSerializer({
            "paid_minor": account.paid_minor, "gift_minor": account.gift_minor, "total_minor": account.total_minor,
            "refundable_minor": refundable, "refund_to": wallet_refunds.routes_summary(routes), "currency": "CNY",
        }).data)  # fmt: skip


class MovementListApi(WalletListApi):
    serializer_class = s.StoredValueMovementSerializer
    list_summary = gettext_lazy("Every movement of my stored value")

    def get_queryset(self):
        return selectors.movements_of(customer=self.customer())


class TopUpCreateApi(WalletApi):
    @extend_schema(summary=gettext_lazy("Top up stored value through a saved payment method (the shop's gift rules apply)"),
                   request=s.TopUpInputSerializer, responses={201: s.TopUpSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        customer = self.customer()
        data = self.valid(s.TopUpInputSerializer)
        with fields_as_sent({"payment_method": "payment_method_id"}):
            method = self.payment_method(customer, data["payment_method_id"])
            top = stored_value.topup(customer=customer, amount_minor=data["amount_minor"], request_key=self.request_key(),
                                     payment_method=method)  # fmt: skip
        return self.created(s.TopUpSerializer(top).data)


class StoredValueRefundListCreateApi(WalletListApi):
    serializer_class = s.StoredValueRefundSerializer

    def get_permissions(self):
        return [staff_may("marketing")()] if self.request.method == "POST" else super().get_permissions()

    def get_queryset(self):
        if not self.request.user.is_staff:
            return selectors.refunds_of(customer=self.customer())
        query = query_valid(s.StoredValueRefundQuerySerializer, self.request)
        rows = selectors.refund_list()
        return rows.filter(customer__uuid=query["customer_uuid"]) if query.get("customer_uuid") else rows

    @extend_schema(summary=gettext_lazy("Stored-value refunds and where each part went (a customer: their own; staff: the shop's)"),
                   parameters=[s.StoredValueRefundQuerySerializer],
                   responses={200: s.StoredValueRefundSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=gettext_lazy("Refund a customer's paid stored value back the way it was paid: to the payment method of "
                           "each top-up (newest first), in cash for top-ups paid at the counter (staff)"),
                   request=s.StoredValueRefundInputSerializer, responses={201: s.StoredValueRefundSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        data = self.valid(s.StoredValueRefundInputSerializer)
        customer = Customer.objects.filter(uuid=data["customer_uuid"]).first()
        if customer is None:
            raise NotFound(_("Unknown customer."), fields={"customer_uuid": [_("Unknown customer.")]})
        refund = wallet_refunds.stored_value_refund(customer=customer, amount_minor=data["amount_minor"],
                                                    key=self.request_key(), memo=f"api refund by {request.user.email}")  # fmt: skip
        return self.created(s.StoredValueRefundSerializer(selectors.refund_list().get(pk=refund.pk)).data)


class StoredValueRefundRetryApi(WalletApi):
    permission_classes = (staff_may("marketing"),)

    @extend_schema(summary=gettext_lazy("Ask the provider again for the parts of a refund it has not confirmed (same keys; never "
                           "paid twice) (staff)"), request=None, responses={200: s.StoredValueRefundSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request, uuid):
        refund = StoredValueRefund.objects.filter(uuid=uuid).first()
        if refund is None:
            raise NotFound(_("Unknown refund."))
        wallet_refunds.stored_value_refund_retry(refund=refund)
        return Response(s.StoredValueRefundSerializer(selectors.refund_list().get(pk=refund.pk)).data)
