from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.billing.models import PaymentMethod


class PaymentMethodSerializer(serializers.ModelSerializer):
    object = ObjectField("payment_method")
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)

    class Meta:
        model = PaymentMethod
        fields = ["object", "id", "customer_uuid", "rail", "label", "created_at"]


class PaymentMethodQuerySerializer(serializers.Serializer):
    customer_uuid = serializers.UUIDField(required=False, help_text=_("Staff only: one customer's methods."))
