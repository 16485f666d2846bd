from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ZoneSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["plans", "adoption", "goods", "mall", "services"])
    name = serializers.CharField(help_text=_("In the request's language."))
    path = serializers.CharField(help_text=_("The API list that holds the zone's items."))


class ShopProfileSerializer(serializers.Serializer):
    object = serializers.CharField(default="shop", help_text=_("Always `shop`."))
    name = serializers.CharField()
    address = serializers.CharField(help_text=_("Empty when the shop has not given one."))
    opening_hours = serializers.CharField(help_text=_("As the shop writes it (\"9:00–20:00 daily\"); may be empty."))
    phone = serializers.CharField(help_text=_("The shop's contact phone; may be empty."))
    email = serializers.CharField(help_text=_("The shop's contact email; may be empty."))
    logo_url = serializers.URLField(allow_null=True, help_text=_("Absolute address of the logo; null without one."))
    zones = ZoneSerializer(
        many=True,
        help_text=_("What the shop offers now, in the order its home page shows it, each with the list that holds "
                    "it: a zone with nothing in it (no plan on sale, no listed product…) is left out."),
    )  # fmt: skip
    livemode = serializers.BooleanField(
        help_text=_("False while the shop is in test mode: payments go to the sandbox and move no money.")
    )
