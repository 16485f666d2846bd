from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import STAFF, OpaqueIdField
from pawpact.api.serializers import DEVICE_NAME_HELP, InputSerializer
from pawpact.customers.phone_sign_in import PHONE_LOGIN_DOMAIN


class TokenRequestSerializer(InputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    device_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True, help_text=DEVICE_NAME_HELP)


class RefreshRequestSerializer(InputSerializer):
    refresh_token = serializers.CharField(max_length=200, trim_whitespace=False)


class WeChatLoginSerializer(InputSerializer):
    code = serializers.CharField(
        max_length=128,
        help_text=_("The code `wx.login()` gave the mini-program; each code works once. "
                    "Test mode: `wx_test_<anything>` (the same suffix is the same WeChat user)."),
    )  # fmt: skip
    device_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True, help_text=DEVICE_NAME_HELP)


class WeChatLinkSerializer(InputSerializer):
    code = serializers.CharField(max_length=128, help_text=_("A fresh `wx.login()` code of the user to link."))


class DeviceSerializer(serializers.Serializer):
    object = serializers.CharField(default="device", help_text=_("Always `device`."))
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text=_("True for the device making this request."))

    def get_current(self, device) -> bool:
        return getattr(self.context.get("current"), "pk", None) == device.pk


class MeSerializer(serializers.Serializer):
    object = ObjectField("me")
    customer_uuid = serializers.UUIDField(
        source="customer.uuid", allow_null=True, default=None,
        help_text=_("The customer record of this login (`/customers/{uuid}`); null for staff."),
    )  # fmt: skip
    email = serializers.EmailField(help_text=_("\"\" for a login made with a phone number alone."))
    name = serializers.CharField()
    phone = serializers.CharField()
    is_staff = serializers.BooleanField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["email"].endswith("@" + PHONE_LOGIN_DOMAIN):  # a placeholder, never an address
            data["email"] = ""
        return data


class StaffSerializer(serializers.Serializer):
    object = ObjectField("staff")
    id = OpaqueIdField(STAFF, read_only=True)
    email = serializers.EmailField()
    name = serializers.CharField()
    phone = serializers.CharField()


class ApiOriginSerializer(serializers.Serializer):
    object = serializers.CharField(default="api_origin", help_text=_("Always `api_origin`."))
    id = serializers.UUIDField(source="uuid", read_only=True)
    origin = serializers.CharField(help_text=_("`https://host[:port]`: pages there may call this shop's API."))
    created_at = serializers.DateTimeField(read_only=True)


class ApiOriginInputSerializer(InputSerializer):
    origin = serializers.CharField(max_length=255, help_text=_("`https://h5.example.com` (http only for localhost)."))


class ApiKeySerializer(serializers.Serializer):
    object = ObjectField("api_key")
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    mode = serializers.SerializerMethodField(help_text=_("`test` or `live`: the shops of this mode accept it."))
    redacted = serializers.SerializerMethodField(help_text=_("The key as shown after it was made: prefix and last four."))
    created_by = serializers.EmailField(source="user.email", help_text=_("The owner it acts as."))
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    api_version = serializers.CharField(
        help_text=_("The API version its calls are answered in (the one current when it was made) unless a request "
                    "sends `Pawpact-Version`; empty for a key made before keys were pinned, until its first call."),
    )  # fmt: skip

    def get_mode(self, key) -> str:
        return "live" if key.livemode else "test"

    def get_redacted(self, key) -> str:
        return f"sk_{self.get_mode(key)}_…{key.last4}"


class ApiKeyCreatedSerializer(ApiKeySerializer):
    secret = serializers.CharField(help_text=_("The whole key, shown this once: store it on your server now."))


class ApiKeyInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=100, help_text=_("Which system holds the key, e.g. `ERP`."))
