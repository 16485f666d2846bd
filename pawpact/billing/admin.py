"""The shop's back office for billing: plans and their versions, customers, pets, contracts.

Writes that carry rules go through the services (a new plan version, a new
customer or pet, ID verification); contracts are read-only here because every
change of a contract is a step of the signing flow or a later transition service.
Billing tables exist only in shop schemas, so none of this shows on the public site.
"""
from django import forms
from django.contrib import admin, messages
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.enums import CallTaskStatus
from pawpact.billing.models import (
    CallTask,
    Contract,
    Customer,
    DebitPeriod,
    DeferralCoupon,
    Pet,
    Plan,
    PlanVersion,
    RenewalOffer,
    SurveyResponse,
    Termination,
    WinBackOffer,
)
from pawpact.billing.services.customers import (
    customer_create,
    customer_validate,
    customer_verify_id,
    pet_create,
    pet_validate,
)
from pawpact.billing.services.plans import (
    TERM_FIELDS,
    plan_current_version,
    plan_terms_errors,
    plan_version_create,
)
from pawpact.core.clock import default_clock
from pawpact.core.errors import DomainError
from pawpact.core.money import Money


def _in_shop() -> bool:
    return connection.schema_name != get_public_schema_name()


class ShopOnlyAdmin(admin.ModelAdmin):
    """Hidden and refused on the public site, where the shop tables do not exist; never deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _in_shop() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _in_shop() and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _in_shop() and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _in_shop() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _money_column(field: str, label):
    """An admin column showing the `*_minor` field `field` as money in the row's currency."""

    @admin.display(description=label)
    def column(self, obj) -> str:
        return _money(getattr(obj, field), obj.currency)

    return column


def _money(amount_minor: int | None, currency: str = "CNY") -> str:
    return "" if amount_minor is None else Money(amount_minor, currency).format()


# --- Plans ---------------------------------------------------------------------------


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["version", "monthly", "periods", "total", "debit_day", "penalty_rate", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    monthly = _money_column("monthly_price_minor", _("monthly price"))
    total = _money_column("total_minor", _("total cost"))


@admin.register(Plan)
class PlanAdmin(ShopOnlyAdmin):
    list_display = ["name", "code", "is_active", "current_price", "current_periods"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "is_active"]
    inlines = [PlanVersionInline]

    def get_readonly_fields(self, request, obj=None):
        # Contracts and the API refer to plans by code.
        return ["code"] if obj else []

    @admin.display(description=_("monthly price"))
    def current_price(self, plan: Plan) -> str:
        version = plan_current_version(plan=plan)
        return _money(version.monthly_price_minor, version.currency) if version else "—"

    @admin.display(description=_("periods"))
    def current_periods(self, plan: Plan):
        version = plan_current_version(plan=plan)
        return version.periods if version else "—"


class PlanVersionForm(forms.ModelForm):
    """Prefilled with the plan's current terms; saving creates the next version."""

    class Meta:
        model = PlanVersion
        fields = ["plan", *TERM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "fulfilment_rewards" in self.fields:  # absent when a saved version is shown read-only
            self.fields["fulfilment_rewards"].required = False  # a plan may have none

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fulfilment_rewards") in (None, ""):
            cleaned["fulfilment_rewards"] = []
        terms = {field: cleaned[field] for field in TERM_FIELDS if field in cleaned}
        for field, problems in plan_terms_errors(terms).items():
            if field in self.fields and field not in self.errors:
                for problem in problems:
                    self.add_error(field, problem)
        return cleaned


@admin.register(PlanVersion)
class PlanVersionAdmin(ShopOnlyAdmin):
    """Versions are immutable: add one to change a plan; signed contracts keep theirs."""

    form = PlanVersionForm
    list_display = ["plan", "version", "monthly", "periods", "total", "deposit", "penalty_rate", "created_at"]
    list_filter = ["plan"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        plan = Plan.objects.filter(pk=initial.get("plan")).first()
        current = plan_current_version(plan=plan) if plan else None
        if current is not None:
            initial.update({field: getattr(current, field) for field in TERM_FIELDS})
        return initial

    def save_model(self, request, obj, form, change):
        terms = {field: form.cleaned_data[field] for field in TERM_FIELDS}
        version = plan_version_create(plan=form.cleaned_data["plan"], **terms)
        obj.pk, obj.version = version.pk, version.version

    def save_related(self, request, form, formsets, change):
        pass

    monthly = _money_column("monthly_price_minor", _("monthly price"))
    total = _money_column("total_minor", _("total cost"))
    deposit = _money_column("deposit_minor", _("deposit"))


# --- Customers and pets ------------------------------------------------------------------


class PetInline(admin.TabularInline):
    model = Pet
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["name", "species", "breed", "birthday", "adoption_date"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _add_domain_errors(form: forms.ModelForm, error: DomainError) -> None:
    """Show a service's refusal next to the fields it names (or on top of the form)."""
    if not error.fields:
        form.add_error(None, error.message)
    for field, problems in error.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


class CustomerAddForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "phone", "birth_date", "user"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                customer_validate(
                    name=cleaned["name"], phone=cleaned["phone"], birth_date=cleaned["birth_date"], clock=default_clock
                )
            except DomainError as error:
                _add_domain_errors(self, error)
        return cleaned


class PetAddForm(forms.ModelForm):
    class Meta:
        model = Pet
        fields = ["owner", "name", "species", "breed", "birthday", "adoption_date"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                pet_validate(
                    name=cleaned["name"],
                    species=cleaned["species"],
                    breed=cleaned.get("breed", ""),
                    birthday=cleaned.get("birthday"),
                    adoption_date=cleaned.get("adoption_date"),
                    clock=default_clock,
                )
            except DomainError as error:
                _add_domain_errors(self, error)
        return cleaned


@admin.register(Customer)
class CustomerAdmin(ShopOnlyAdmin):
    list_display = ["name", "phone", "birth_date", "id_verification", "created_at"]
    list_filter = ["id_verification"]
    search_fields = ["name", "phone"]
    inlines = [PetInline]
    actions = ["mark_id_verified", "mark_id_rejected"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CustomerAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "phone", "birth_date", "user"] + (["id_verification", "uuid", "created_at"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        # The phone is the customer's identity in the shop; verification has its own action.
        return ["phone", "birth_date", "user", "id_verification", "uuid", "created_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        # Validated by CustomerAddForm; the service repeats the checks inside its transaction.
        created = customer_create(
            name=obj.name, phone=obj.phone, birth_date=obj.birth_date, user=form.cleaned_data.get("user")
        )
        obj.pk, obj.uuid, obj.phone = created.pk, created.uuid, created.phone

    @admin.action(description=_("Mark ID as verified"))
    def mark_id_verified(self, request, queryset):
        for customer in queryset:
            customer_verify_id(customer=customer, verified=True)
        self.message_user(request, _("ID marked verified."), messages.SUCCESS)

    @admin.action(description=_("Mark ID as rejected"))
    def mark_id_rejected(self, request, queryset):
        for customer in queryset:
            customer_verify_id(customer=customer, verified=False)
        self.message_user(request, _("ID marked rejected."), messages.WARNING)


@admin.register(Pet)
class PetAdmin(ShopOnlyAdmin):
    list_display = ["name", "species", "breed", "owner", "birthday", "adoption_date"]
    list_filter = ["species"]
    search_fields = ["name", "breed", "owner__name", "owner__phone"]
    autocomplete_fields = ["owner"]
    fields = ["owner", "name", "species", "breed", "birthday", "adoption_date"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PetAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Ownership changes by adoption (signing), not by hand.
        return ["owner", "species"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "breed", "birthday", "adoption_date"])
            return
        created = pet_create(
            owner=obj.owner,
            name=obj.name,
            species=obj.species,
            breed=obj.breed,
            birthday=obj.birthday,
            adoption_date=obj.adoption_date,
        )
        obj.pk, obj.uuid = created.pk, created.uuid


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

    amount = _money_column("amount_minor", _("amount"))


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
        response = HttpResponse(agreement_pdf(contract), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="agreement-{contract.uuid}.pdf"'
        return response

    @admin.display(description=_("agreement PDF"))
    def agreement_pdf_link(self, contract: Contract) -> str:
        if not contract.signed_at:
            return "—"
        url = reverse("admin:billing_contract_agreement_pdf", args=[contract.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    monthly = _money_column("monthly_amount_minor", _("monthly amount"))
    total = _money_column("total_minor", _("total cost"))
    deposit = _money_column("deposit_minor", _("deposit"))


# customer segments filter, renewal offers, win-back offers, exit surveys


class CustomerSegmentFilter(admin.SimpleListFilter):
    """Normal / overdue / terminated (pawpact.billing.services.segments)."""

    title = _("segment")
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        from pawpact.billing.services.segments import (
            SEGMENT_NORMAL,
            SEGMENT_OVERDUE,
            SEGMENT_TERMINATED,
        )

        return [(SEGMENT_NORMAL, _("Normal")), (SEGMENT_OVERDUE, _("Overdue")), (SEGMENT_TERMINATED, _("Terminated"))]

    def queryset(self, request, queryset):
        from pawpact.billing.services.segments import SEGMENTS, customer_segment_list

        if self.value() not in SEGMENTS:
            return queryset
        return queryset.filter(pk__in=customer_segment_list(name=self.value()).values("pk"))


CustomerAdmin.list_filter = [*CustomerAdmin.list_filter, CustomerSegmentFilter]


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


@admin.register(WinBackOffer)
class WinBackOfferAdmin(_ReadOnlyLifecycleAdmin):
    list_display = ["code", "customer", "discount_rate", "sent_at", "expires_at", "redeemed_at", "redeemed_contract"]
    list_select_related = ["customer", "redeemed_contract"]
    search_fields = ["code", "customer__name", "customer__phone"]
    readonly_fields = [
        "customer", "contract", "code", "discount_rate", "sent_at", "expires_at", "redeemed_at", "redeemed_contract",
    ]  # fmt: skip


@admin.register(SurveyResponse)
class SurveyResponseAdmin(_ReadOnlyLifecycleAdmin):
    list_display = ["contract", "sent_at", "answered_at", "score"]
    list_filter = ["score"]
    list_select_related = ["contract__customer", "contract__plan_version__plan"]
    readonly_fields = ["contract", "sent_at", "answered_at", "score", "answers"]
    exclude = ["token"]




# the staff call queue (outcome notes) and deferral coupons


class CallTaskOutcomeForm(forms.ModelForm):
    """The only thing staff write on a task: what happened, and whether it is done."""

    status = forms.ChoiceField(
        label=_("close as"), choices=[(CallTaskStatus.DONE, _("Done")), (CallTaskStatus.CANCELLED, _("Cancelled"))]
    )

    class Meta:
        model = CallTask
        fields = ["outcome_note", "status"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.status != CallTaskStatus.OPEN:
            raise forms.ValidationError(_("This task is closed already."))
        if not (cleaned.get("outcome_note") or "").strip():
            self.add_error("outcome_note", _("Write what happened (the outcome of the call or visit)."))
        return cleaned


class CallTaskOpenFilter(admin.SimpleListFilter):
    """Open tasks by default: the queue is the work still to do."""

    title = _("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("closed", _("Closed")), ("all", _("All"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open"),
        }
        yield from super().choices(changelist)

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "closed":
            return queryset.exclude(status=CallTaskStatus.OPEN)
        return queryset.filter(status=CallTaskStatus.OPEN)


@admin.register(CallTask)
class CallTaskAdmin(ShopOnlyAdmin):
    list_display = ["due_on", "kind", "customer", "phone", "period_label", "amount", "status", "outcome_note"]
    list_filter = [CallTaskOpenFilter, "kind"]
    list_select_related = ["customer", "period__contract"]
    search_fields = ["customer__name", "customer__phone", "outcome_note"]
    ordering = ["due_on", "id"]
    form = CallTaskOutcomeForm
    readonly_fields = ["customer", "phone", "period_label", "amount", "kind", "due_on", "created_at", "done_at",
                       "assigned_to"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # dunning opens tasks

    def get_fields(self, request, obj=None):
        return [*self.readonly_fields, "outcome_note", "status"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != CallTaskStatus.OPEN:
            return [*self.readonly_fields, "outcome_note", "status"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        from pawpact.billing.services.dunning import call_task_close

        try:
            closed = call_task_close(
                task=obj,
                outcome_note=form.cleaned_data["outcome_note"],
                status=form.cleaned_data["status"],
                staff=request.user,
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        obj.status, obj.outcome_note, obj.done_at = closed.status, closed.outcome_note, closed.done_at

    @admin.display(description=_("phone"))
    def phone(self, task: CallTask) -> str:
        return task.customer.phone

    @admin.display(description=_("period"))
    def period_label(self, task: CallTask) -> str:
        if task.period is None:
            return "—"
        return _("%(number)d of %(periods)d, due %(date)s") % {
            "number": task.period.number,
            "periods": task.period.contract.periods,
            "date": task.period.due_date.isoformat(),
        }

    @admin.display(description=_("amount"))
    def amount(self, task: CallTask) -> str:
        return "—" if task.period is None else _money(task.period.amount_minor, task.period.currency)


class DeferralCouponIssueForm(forms.ModelForm):
    class Meta:
        model = DeferralCoupon
        fields = ["contract", "reason"]

    def clean(self):
        cleaned = super().clean()
        contract = cleaned.get("contract")
        if contract is not None and not self.errors:
            from pawpact.billing.services.deferral import deferral_coupon_issue_check
            from pawpact.billing.services.lifecycle_settings import billing_settings_get

            try:
                deferral_coupon_issue_check(contract=contract, settings=billing_settings_get())
            except DomainError as error:
                self.add_error("contract", error.message)
        return cleaned


@admin.register(DeferralCoupon)
class DeferralCouponAdmin(ShopOnlyAdmin):
    """Staff issue coupons here (through the service); customers use them in the app."""

    list_display = ["contract", "reason", "issued_at", "used_on", "used_at"]
    list_select_related = ["contract__customer", "contract__plan_version__plan", "used_on"]
    search_fields = ["contract__customer__name", "contract__customer__phone"]
    raw_id_fields = ["contract"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = DeferralCouponIssueForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return ["contract", "reason"] if obj is None else ["contract", "reason", "issued_at", "used_on", "used_at"]

    def save_model(self, request, obj, form, change):
        from pawpact.billing.services.deferral import deferral_coupon_issue

        issued = deferral_coupon_issue(contract=obj.contract, reason=obj.reason)
        obj.pk, obj.issued_at = issued.pk, issued.issued_at




# how contracts ended (read-only) and the pet-loss evidence, for staff only



@admin.register(Termination)
class TerminationAdmin(ShopOnlyAdmin):
    """Read-only: every exit is made by the termination services. The evidence file is served
    by an admin view (staff login required), never from a public media URL."""

    list_display = ["contract", "kind", "remaining", "penalty", "refund", "deposit_refund", "executed_at"]
    list_filter = ["kind"]
    search_fields = ["contract__uuid", "contract__customer__name", "contract__customer__phone"]
    fields = readonly_fields = [
        "contract", "kind", "quote", "remaining", "penalty", "refund", "deposit_refund", "evidence_note",
        "evidence_link", "requested_by", "executed_at",
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

    @admin.display(description=_("remaining amount"))
    def remaining(self, termination: Termination) -> str:
        return _money(termination.remaining_minor, termination.contract.currency)

    @admin.display(description=_("penalty"))
    def penalty(self, termination: Termination) -> str:
        return _money(termination.penalty_minor, termination.contract.currency)

    @admin.display(description=_("refund"))
    def refund(self, termination: Termination) -> str:
        return _money(termination.refund_minor, termination.contract.currency)

    @admin.display(description=_("deposit refund"))
    def deposit_refund(self, termination: Termination) -> str:
        return _money(termination.deposit_refund_minor, termination.contract.currency)


