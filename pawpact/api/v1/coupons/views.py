"""Coupons, coupon templates, saved segments and campaigns over the API.

A customer lists and reads only their own coupons (someone else's code answers 404, like
a missing one) and uses a plan coupon on a contract of their own. Staff see every coupon
of the shop, manage templates, issue a coupon to a customer, save segments and start
campaigns (owner and manager; a clerk reads and redeems coupons). Money is integer fen (`_minor`)."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from pawpact.api.access import contract_get, own_customer
from pawpact.api.idempotency import idempotent
from pawpact.api.opaque_ids import COUPON_TEMPLATE, id_parameter
from pawpact.api.openapi import ERRORS
from pawpact.api.pagination import one_page, one_page_of
from pawpact.api.permissions import staff_may
from pawpact.api.query import query_valid
from pawpact.api.shared.views import LoyaltyApi, LoyaltyListApi
from pawpact.api.v1.coupons import serializers as s
from pawpact.api.version_shapes import path_pk
from pawpact.core.clock import default_clock
from pawpact.core.errors import NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty.campaigns import campaign_create
from pawpact.loyalty.coupon_models import Coupon, CouponStatus, CouponTemplate, Segment
from pawpact.loyalty.coupon_selectors import campaign_list, with_use
from pawpact.loyalty.coupon_templates import coupon_template_save
from pawpact.loyalty.coupon_triggers import coupon_announce
from pawpact.loyalty.coupons import coupon_apply_to_contract, coupon_issue
from pawpact.loyalty.segments import segment_customers, segment_save

# Templates, hand issues, segments and campaigns: owner and manager, as on the Marketing pages.
# Any staff role (a clerk at the counter) reads coupons and redeems one on a contract.
MARKETING = staff_may("marketing")


def _coupons_for(request):
    rows = with_use(Coupon.objects.select_related("template", "customer"))
    if request.user.is_staff:
        return rows
    customer = own_customer(request)
    return rows.filter(customer=customer) if customer else rows.none()


def _state_filter(rows, state: str):
    today = default_clock.today()
    if state == "expired":
        return rows.filter(status=CouponStatus.ISSUED, valid_until__lt=today)
    if state == CouponStatus.ISSUED:
        return rows.filter(status=CouponStatus.ISSUED, valid_until__gte=today)
    return rows.filter(status=state) if state else rows


class CouponListApi(LoyaltyListApi):
    serializer_class = s.CouponSerializer
    list_summary = gettext_lazy("Coupons: a customer's own; staff: the shop's")
    list_parameters = (s.CouponQuerySerializer,)

    def get_queryset(self):
        query = query_valid(s.CouponQuerySerializer, self.request)
        rows = _state_filter(_coupons_for(self.request), query.get("status", ""))
        if query.get("customer_uuid") and self.request.user.is_staff:
            rows = rows.filter(customer__uuid=query["customer_uuid"])
        return rows.order_by("-issued_at", "-id")


class CouponDetailApi(LoyaltyApi):
    @extend_schema(summary=gettext_lazy("One coupon by its code"), responses={200: s.CouponSerializer, **ERRORS})
    def get(self, request, code: str):
        coupon = get_object_or_404(_coupons_for(request), code=code.upper())
        return Response(s.CouponSerializer(coupon).data)


class CouponApplyApi(LoyaltyApi):
    @extend_schema(summary=gettext_lazy("Use an amount-off, first-month-half-price or deferral coupon on a contract's next debit"),
                   request=s.CouponApplyInputSerializer, responses={200: s.CouponSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request, code: str):
        contract = contract_get(request, self.valid(s.CouponApplyInputSerializer)["contract_uuid"])
        coupon = get_object_or_404(_coupons_for(request), code=code.upper())
        coupon_apply_to_contract(customer=coupon.customer, code=coupon.code, contract=contract)
        return Response(s.CouponSerializer(_coupons_for(request).get(pk=coupon.pk)).data)


class CouponTemplateListCreateApi(LoyaltyListApi):
    permission_classes = [MARKETING]
    serializer_class = s.CouponTemplateSerializer
    queryset = CouponTemplate.objects.order_by("-enabled", "name", "id")
    list_summary = gettext_lazy("The shop's coupon templates (staff)")

    @extend_schema(summary=gettext_lazy("Add a coupon template (staff)"), request=s.CouponTemplateInputSerializer,
                   responses={201: s.CouponTemplateSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        template = coupon_template_save(**self.valid(s.CouponTemplateInputSerializer))
        return self.created(s.CouponTemplateSerializer(template).data)


TEMPLATE_ID = id_parameter("template_id", COUPON_TEMPLATE, "coupon template")


def _template_get(request, template_id: str) -> CouponTemplate:
    return get_object_or_404(CouponTemplate, pk=path_pk(COUPON_TEMPLATE, template_id, request) or 0)


@extend_schema(parameters=[TEMPLATE_ID])
class CouponTemplateDetailApi(LoyaltyApi):
    permission_classes = [MARKETING]

    @extend_schema(summary=gettext_lazy("One coupon template (staff)"), responses={200: s.CouponTemplateSerializer, **ERRORS})
    def get(self, request, template_id: str):
        return Response(s.CouponTemplateSerializer(_template_get(request, template_id)).data)

    @extend_schema(summary=gettext_lazy("Change a coupon template, or enable/disable it (staff)"),
                   request=s.CouponTemplatePatchSerializer, responses={200: s.CouponTemplateSerializer, **ERRORS})  # fmt: skip
    def patch(self, request, template_id: str):
        template = _template_get(request, template_id)
        template = coupon_template_save(template=template, **self.valid(s.CouponTemplatePatchSerializer))
        return Response(s.CouponTemplateSerializer(template).data)


@extend_schema(parameters=[TEMPLATE_ID])
class CouponIssueApi(LoyaltyApi):
    permission_classes = [MARKETING]

    @extend_schema(summary=gettext_lazy("Issue a coupon of this template to a customer (staff; the key makes a retry issue once)"),
                   request=s.CouponIssueInputSerializer, responses={201: s.CouponSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request, template_id: str):
        template = _template_get(request, template_id)
        customer = Customer.objects.filter(uuid=self.valid(s.CouponIssueInputSerializer)["customer_uuid"]).first()
        if customer is None:
            raise NotFound(_("Unknown customer."), fields={"customer_uuid": [_("Unknown customer.")]})
        key = f"api:{request.user.pk}:{request.headers.get('Idempotency-Key', '')[:100]}"
        coupon = coupon_issue(template=template, customer=customer, source_key=key)
        coupon_announce(coupon=coupon)
        return self.created(s.CouponSerializer(coupon).data)


def _segment_data(segment: Segment) -> dict:
    segment.member_count = segment_customers(segment.filters).count()
    return s.SegmentSerializer(segment).data


class SegmentListCreateApi(LoyaltyApi):
    permission_classes = [MARKETING]

    @extend_schema(summary=gettext_lazy("Saved customer segments with their member counts (staff)"),
                   responses={200: one_page_of(s.SegmentSerializer), **ERRORS})  # fmt: skip
    def get(self, request):
        rows = [_segment_data(segment) for segment in Segment.objects.all()[:200]]
        return one_page(rows)

    @extend_schema(summary=gettext_lazy("Save a segment (staff)"), request=s.SegmentInputSerializer,
                   responses={201: s.SegmentSerializer, **ERRORS})  # fmt: skip
    @idempotent(required=False)
    def post(self, request):
        data = self.valid(s.SegmentInputSerializer)
        return self.created(_segment_data(segment_save(name=data["name"], filters=data["filters"])))


class CampaignListCreateApi(LoyaltyListApi):
    permission_classes = [MARKETING]
    serializer_class = s.CampaignSerializer
    list_summary = gettext_lazy("Campaigns with their progress and results (staff)")

    def get_queryset(self):
        return campaign_list().order_by("-created_at", "-id")

    @extend_schema(summary=gettext_lazy("Send a coupon or a message to a segment, in the background (staff)"),
                   request=s.CampaignInputSerializer, responses={202: s.CampaignSerializer, **ERRORS})  # fmt: skip
    @idempotent
    def post(self, request):
        values = self.valid(s.CampaignInputSerializer)
        segment = Segment.objects.filter(pk=values["segment_id"]).first()
        template = CouponTemplate.objects.filter(pk=values["template_id"]).first() if values["template_id"] else None
        campaign = campaign_create(name=values["name"], segment=segment, kind=values["kind"], template=template,
                                   subject=values["subject"], body=values["body"])  # fmt: skip
        return self.created(s.CampaignSerializer(campaign_list().get(pk=campaign.pk)).data, answer=status.HTTP_202_ACCEPTED)


class CampaignDetailApi(LoyaltyApi):
    permission_classes = [MARKETING]

    @extend_schema(summary=gettext_lazy("One campaign: progress and results (staff)"), responses={200: s.CampaignSerializer, **ERRORS})
    def get(self, request, uuid):
        return Response(s.CampaignSerializer(get_object_or_404(campaign_list(), uuid=uuid)).data)
