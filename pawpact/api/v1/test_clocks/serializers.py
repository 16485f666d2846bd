from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pawpact.api.fields import SaneDateTimeField
from pawpact.api.serializers import InputSerializer


class TestClockSerializer(serializers.Serializer):
    __test__ = False

    object = serializers.CharField(default="test_clock", help_text=_("Always `test_clock`."))
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    frozen_time = serializers.DateTimeField(help_text=_("The instant its contracts are billed at."))
    status = serializers.SerializerMethodField(help_text=_("`advancing` while a request moves it, else `ready`."))
    contract_ids = serializers.SerializerMethodField(help_text=_("The contracts attached (their `uuid`)."))
    created_at = serializers.DateTimeField()

    def get_status(self, clock) -> str:
        return "advancing" if clock.advancing_since else "ready"

    def get_contract_ids(self, clock) -> list[str]:
        return [str(value) for value in clock.contracts.order_by("id").values_list("uuid", flat=True)]


class TestClockInputSerializer(InputSerializer):
    __test__ = False

    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    frozen_time = SaneDateTimeField(required=False, help_text=_("Where the clock starts; now by default."))


class TestClockAttachSerializer(InputSerializer):
    __test__ = False

    min_properties = 1
    min_properties_message = _("Give contract_id or customer_id.")
    max_properties = 1
    contract_id = serializers.UUIDField(required=False, help_text=_("An open test-mode contract (its `uuid`)."))
    customer_id = serializers.UUIDField(
        required=False, help_text=_("A customer: each of their open test-mode contracts on no clock is attached.")
    )


class TestClockAdvanceSerializer(InputSerializer):
    __test__ = False

    min_properties = 1
    min_properties_message = _("Give one of months, next_debit or frozen_time.")
    max_properties = 1
    months = serializers.IntegerField(min_value=1, max_value=13, required=False, help_text=_("Calendar months ahead."))
    next_debit = serializers.BooleanField(
        required=False, help_text=_("`true`: to just after the run that charges the next due or retried debit.")
    )
    frozen_time = SaneDateTimeField(required=False, help_text=_("An instant after the clock's, ≤ 400 days on."))

