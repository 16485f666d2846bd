from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


# Documents the body pawpact.api.errors.exception_handler renders; never used to render.
# No docstring: the schema would show it as the component's description.
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages by field; a nested field's path joins keys and list positions with dots "
                    "(`lines.1.quantity`)."),
    )


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    shop = serializers.CharField()
    database = serializers.BooleanField()
