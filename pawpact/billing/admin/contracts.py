"""Contracts (read-only: every change is a service), renewal offers, and how contracts ended."""
from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.models import Contract, DebitPeriod, RenewalOffer, Termination
from pawpact.core.admin import ShopOnlyAdmin, money_column, money_display
from pawpact.core.http import attachment

# --- Contracts -------------------------------------------------------------------------


class DebitPeriodInline(admin.TabularInline):
    model = DebitPeriod
    extra = 0
    can_delete = False
    fields = readonly_fields = ["number", "due_date", "amount", "status", "not_before", "paid_at"]
    ordering = ["number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    amount = money_column("amount_minor", _("amount"))


@admin.register(Contract)
class ContractAdmin(ShopOnlyAdmin):
    """Read-only: contracts move only through the signing flow and transition services."""

    list_display = ["uuid", "customer", "pet", "plan_version", "status", "monthly", "periods", "total", "signed_at"]
    list_filter = ["status", "deposit_status", "plan_version__plan"]
    search_fields = ["uuid", "customer__name", "customer__phone", "pet__name"]
    list_select_related = ["customer", "pet", "plan_version__plan"]
    inlines = [DebitPeriodInline]
    fieldsets = [
        (None, {"fields": ["uuid", "status", "customer", "pet", "plan_version", "created_at", "created_by"]}),
        (_("Amounts"), {"fields": ["monthly", "periods", "total", "deposit", "deposit_status", "deposit_reference"]}),
        (_("Credit decision"), {"fields": ["credit_score", "credit_source", "credit_evidence", "credit_checked_at"]}),
        (
            _("Signature"),
            {
                "fields": [
                    "signed_at",
                    "signed_by_name",
                    "signed_ip",
                    "signed_user_agent",
                    "agreement_sha256",
                    "agreement_pdf_link",
                    "agreement_text",
                ]
            },
        ),
        (_("Life"), {"fields": ["payment_method", "activated_at", "cooling_off_until", "ended_at", "renewal_of"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing only: the change form renders read-only fields and no save buttons.
        return False

    def get_urls(self):
        own = [
            path(
                "<int:contract_id>/agreement.pdf",
                self.admin_site.admin_view(self.agreement_pdf_view),
                name="billing_contract_agreement_pdf",
            )
        ]
        return own + super().get_urls()

    def agreement_pdf_view(self, request, contract_id: int) -> HttpResponse:
        contract = Contract.objects.filter(pk=contract_id).first()
        if contract is None or not self.has_view_permission(request, contract) or not contract.signed_at:
            raise Http404
        return attachment(
            agreement_pdf(contract), content_type="application/pdf", filename=f"agreement-{contract.uuid}.pdf"
        )

    @admin.display(description=_("agreement PDF"))
    def agreement_pdf_link(self, contract: Contract) -> str:
        if not contract.signed_at:
            return "—"
        url = reverse("admin:billing_contract_agreement_pdf", args=[contract.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    monthly = money_column("monthly_amount_minor", _("monthly amount"))
    total = money_column("total_minor", _("total cost"))
    deposit = money_column("deposit_minor", _("deposit"))




class _ReadOnlyLifecycleAdmin(ShopOnlyAdmin):
    """Written by the lifecycle services only; staff look."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RenewalOffer)
class RenewalOfferAdmin(_ReadOnlyLifecycleAdmin):
    list_display = ["contract", "sent_at", "accepted_option", "accepted_at", "renewal_contract"]
    list_filter = ["accepted_option"]
    list_select_related = ["contract__customer", "contract__plan_version__plan", "renewal_contract"]
    search_fields = ["contract__customer__name", "contract__customer__phone"]
    readonly_fields = ["contract", "options", "sent_at", "accepted_option", "accepted_at", "renewal_contract"]



# how contracts ended (read-only) and the pet-loss evidence, for staff only



@admin.register(Termination)
class TerminationAdmin(ShopOnlyAdmin):
    """Read-only: every exit is made by the termination services. The evidence file is served
    by an admin view (staff login required), never from a public media URL."""

    list_display = ["contract", "kind", "cancelled", "remaining", "penalty", "refund", "deposit_refund", "executed_at"]
    list_filter = ["kind"]
    search_fields = ["contract__uuid", "contract__customer__name", "contract__customer__phone"]
    fields = readonly_fields = [
        "contract", "kind", "quote", "cancelled", "remaining", "penalty", "refund", "deposit_applied",
        "deposit_refund", "evidence_note", "evidence_link", "requested_by", "executed_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        own = [
            path(
                "<int:termination_id>/evidence/",
                self.admin_site.admin_view(self.evidence_view),
                name="billing_termination_evidence",
            )
        ]
        return own + super().get_urls()

    def evidence_view(self, request: HttpRequest, termination_id: int):
        termination = Termination.objects.select_related("contract").filter(pk=termination_id).first()
        if termination is None or not termination.evidence or not self.has_view_permission(request, termination):
            raise Http404
        extension = termination.evidence.name.rsplit(".", 1)[-1]
        return FileResponse(
            termination.evidence.open("rb"),
            as_attachment=True,
            filename=f"evidence-{termination.contract.uuid}.{extension}",
        )

    @admin.display(description=_("evidence"))
    def evidence_link(self, termination: Termination) -> str:
        if not termination.evidence:
            return "—"
        url = reverse("admin:billing_termination_evidence", args=[termination.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    @admin.display(description=_("cancelled periods"))
    def cancelled(self, termination: Termination) -> str:
        return money_display(termination.cancelled_minor, termination.contract.currency)

    @admin.display(description=_("still owed"))
    def remaining(self, termination: Termination) -> str:
        return money_display(termination.remaining_minor, termination.contract.currency)

    @admin.display(description=_("deposit applied to what was owed"))
    def deposit_applied(self, termination: Termination) -> str:
        return money_display(termination.deposit_applied_minor, termination.contract.currency)

    @admin.display(description=_("penalty"))
    def penalty(self, termination: Termination) -> str:
        return money_display(termination.penalty_minor, termination.contract.currency)

    @admin.display(description=_("refund"))
    def refund(self, termination: Termination) -> str:
        return money_display(termination.refund_minor, termination.contract.currency)

    @admin.display(description=_("deposit refund"))
    def deposit_refund(self, termination: Termination) -> str:
        return money_display(termination.deposit_refund_minor, termination.contract.currency)
