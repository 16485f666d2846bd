from django.utils.translation import gettext_lazy
from rest_framework import serializers

from pawpact.api.fields import ObjectField
from pawpact.api.opaque_ids import QUOTE, OpaqueIdField
from pawpact.api.serializers import InputSerializer
from pawpact.billing.models import Termination, TerminationQuote
from pawpact.billing.selectors import termination_quote_summary


class TerminationQuoteSerializer(serializers.ModelSerializer):
    object = ObjectField("termination_quote")
    id = OpaqueIdField(QUOTE, source="pk", read_only=True)
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    currency = serializers.CharField(source="contract.currency", read_only=True)
    remaining_periods = serializers.SerializerMethodField()
    monthly_amount_minor = serializers.IntegerField(source="contract.monthly_amount_minor", read_only=True)
    kind = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy(
            "cooling_off: inside the cooling-off period the quote is the free cancellation (no penalty, "
            "everything paid refunded); early: an early termination with its penalty."
        ),
    )
    cooling_off_until = serializers.DateField(source="contract.cooling_off_until", read_only=True)
    summary = serializers.SerializerMethodField(help_text=gettext_lazy("What the quote offers, to show the customer."))

    class Meta:
        model = TerminationQuote
        fields = [
            "object",
            "id", "contract_uuid", "kind", "remaining_periods", "monthly_amount_minor", "remaining_minor",
            "penalty_rate", "penalty_minor", "refund_minor", "deposit_refund_minor", "currency", "cooling_off_until",
            "summary", "created_at", "expires_at",
        ]  # fmt: skip

    def get_remaining_periods(self, quote: TerminationQuote) -> int:
        monthly = quote.contract.monthly_amount_minor
        return quote.remaining_minor // monthly if monthly else 0

    def get_summary(self, quote: TerminationQuote) -> str:
        return termination_quote_summary(quote)


class TerminationSerializer(serializers.ModelSerializer):
    object = ObjectField("termination")
    contract_uuid = serializers.UUIDField(source="contract.uuid", read_only=True)
    contract_status = serializers.CharField(source="contract.status", read_only=True)
    currency = serializers.CharField(source="contract.currency", read_only=True)
    quote_id = OpaqueIdField(QUOTE, read_only=True, allow_null=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Termination
        fields = [
            "object",
            "contract_uuid", "contract_status", "kind", "quote_id", "cancelled_minor", "remaining_minor",
            "penalty_minor", "refund_minor", "deposit_applied_minor", "deposit_refund_minor", "currency",
            "evidence_note", "has_evidence", "executed_at",
        ]  # fmt: skip
        extra_kwargs = {
            "cancelled_minor": {"help_text": gettext_lazy("The unpaid periods this exit cancelled: no longer owed.")},
            "remaining_minor": {
                "help_text": gettext_lazy(
                    "What the customer still owes after the exit: only a default leaves debt (its overdue "
                    "periods, less what the deposit paid)."
                )
            },
            "deposit_applied_minor": {
                "help_text": gettext_lazy("On default, the part of the held deposit that paid what was owed.")
            },
        }

    def get_has_evidence(self, termination: Termination) -> bool:
        return bool(termination.evidence)


class PetLossInputSerializer(InputSerializer):
    evidence = serializers.FileField(
        required=False, allow_empty_file=True,
        help_text=gettext_lazy("A vet's certificate, a photo or a PDF: a file named .jpg, .jpeg, .png, .webp, .heic "
                               "or .pdf, at most 10 MB. Without it, `evidence_note` needs at least 10 characters."),
    )  # fmt: skip
    evidence_note = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=True, default="", max_length=2000
    )
