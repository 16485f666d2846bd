from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.serializers import InputSerializer


class TokenRequestSerializer(InputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))


class MeSerializer(serializers.Serializer):
    customer_uuid = serializers.UUIDField(
        source="customer.uuid", allow_null=True, default=None,
        help_text=_("The customer record of this login (`/customers/{uuid}`); null for staff."),
    )  # fmt: skip
    email = serializers.EmailField()
    name = serializers.CharField()
    phone = serializers.CharField()
    is_staff = serializers.BooleanField()


class StaffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    phone = serializers.CharField()
