from rest_framework import serializers

from pawpact.messaging.models import Message


class MessageSerializer(serializers.ModelSerializer):
    customer_uuid = serializers.UUIDField(source="customer.uuid", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id", "customer_uuid", "channel", "category", "topic", "subject", "body", "status", "created_at",
            "read_at",
        ]  # fmt: skip
