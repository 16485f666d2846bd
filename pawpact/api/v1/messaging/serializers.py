from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import MESSAGE, OpaqueIdField
from pawpact.messaging.models import Category, Channel, Message, MessageStatus


class MessageSerializer(serializers.ModelSerializer):
    object = ObjectField("message")
    id = OpaqueIdField(MESSAGE, source="pk", read_only=True)
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)

    class Meta:
        model = Message
        fields = [
            "object",
            "id", "customer_uuid", "channel", "category", "topic", "subject", "body", "status", "created_at",
            "read_at",
        ]  # fmt: skip


class MessageQuerySerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False, help_text=_("Staff only."))
    status = serializers.ChoiceField(choices=MessageStatus.choices, required=False, help_text=_("Staff only."))
    topic = serializers.CharField(max_length=40, required=False, help_text=_("Staff only."))
    customer_uuid = serializers.UUIDField(required=False, help_text=_("Staff only."))


class SandboxSmsQuerySerializer(serializers.Serializer):
    phone = serializers.RegexField(
        r"^(?:\+?86)?1[3-9][0-9]{9}$", max_length=14,
        help_text=_("The mainland mobile the sandbox sent to (13800138000, 8613800138000 or +8613800138000)."),
    )  # fmt: skip


class SandboxSmsSerializer(serializers.Serializer):
    object = serializers.CharField(default="sandbox_sms", help_text=_("Always `sandbox_sms`."))
    id = serializers.CharField(help_text=_("The sandbox's id of the text."))
    phone = serializers.CharField(help_text=_("The number as the provider takes it (11 digits)."))
    text = serializers.CharField()
    sent_at = serializers.DateTimeField()
