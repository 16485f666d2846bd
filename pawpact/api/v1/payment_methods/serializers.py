from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import MetadataField, MetadataInputField, ObjectField
from pawpact.api.opaque_ids import PAYMENT_METHOD, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.billing.models import PaymentMethod


class PaymentMethodSerializer(serializers.ModelSerializer):
    object = ObjectField("payment_method")
    id = OpaqueIdField(PAYMENT_METHOD, source="pk", read_only=True)
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)
    # The label as the reader's language names it: the sandbox's test cards are stored with
    # catalogued English names, a debit agreement is named by its rail.
    label = serializers.CharField(
        source="shown_label", read_only=True, help_text=_("The method's name in the request's language.")
    )
    metadata = MetadataField()

    class Meta:
        model = PaymentMethod
        fields = ["object", "id", "customer_uuid", "rail", "label", "metadata", "created_at"]


class PaymentMethodUpdateSerializer(InputSerializer):
    """Only the metadata changes here: the rail's reference and label are the rail's."""

    metadata = MetadataInputField()


class PaymentMethodQuerySerializer(serializers.Serializer):
    customer_uuid = serializers.UUIDField(required=False, help_text=_("Staff only: one customer's methods."))
