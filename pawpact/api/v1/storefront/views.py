"""The storefront's catalog for mini-programs and other clients: anonymous, the shop's listed
products that can be bought now (a sold-out SKU leaves the list at once)."""
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny

from pawpact.api.openapi import ERRORS
from pawpact.api.v1.storefront import serializers as s
from pawpact.storefront.selectors import product_list


class ProductListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.ProductSerializer

    def get_queryset(self):
        query = s.ProductQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return product_list(category=query.validated_data.get("category", ""))

    @extend_schema(
        summary="Products on sale now (anonymous), newest first; filter by category",
        parameters=[s.ProductQuerySerializer], responses={200: s.ProductSerializer(many=True), **ERRORS},
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductDetailApi(RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.ProductSerializer

    def get_queryset(self):
        return product_list(include_unavailable=True).filter(is_listed=True)

    @extend_schema(summary="One listed product (anonymous); in_stock says whether it can be bought now",
                   responses={200: s.ProductSerializer, **ERRORS})  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
