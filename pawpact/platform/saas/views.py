"""Pages of the shops' subscription: the owner's billing page on the shop's domain
(staff only) and the platform console's list of subscriptions (platform admins only)."""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pawpact.core.decorators import staff_required
from pawpact.core.errors import DomainError
from pawpact.core.http import attachment
from pawpact.core.money import Money
from pawpact.platform.enums import InvoiceStatus, SubscriptionStatus
from pawpact.platform.saas.billing_adapters import RAILS, SANDBOX, STRIPE
from pawpact.platform.saas.errors import SaasInvoiceNotFound
from pawpact.platform.saas.invoice_pdf import saas_invoice_pdf
from pawpact.platform.saas.selectors import (
    saas_invoice_get,
    saas_invoice_list,
    subscription_list,
    subscription_overview,
)
from pawpact.platform.saas.services import subscription_pay_now, subscription_payment_method_set
from pawpact.tenants.enums import ShopEventKind, ShopState
from pawpact.tenants.models import ShopEvent


RAIL_LABELS = {SANDBOX: gettext_lazy("Sandbox (test cards, no real money)"), STRIPE: gettext_lazy("Card through Stripe")}


# The sandbox's test cards by what they do (billing_adapters names them): an owner trying the
# platform picks one; nobody types a token.
TEST_CARDS = [
    ("tok_success", gettext_lazy("Test card that pays")),
    ("tok_insufficient_funds", gettext_lazy("Test card declined: insufficient funds")),
    ("tok_hard_decline", gettext_lazy("Test card declined by the bank")),
]


class PaymentMethodForm(forms.Form):
    rail = forms.ChoiceField(label=gettext_lazy("Payment rail"), choices=[(rail, RAIL_LABELS[rail]) for rail in RAILS])
    card = forms.ChoiceField(
        label=gettext_lazy("Test card"), choices=TEST_CARDS, required=False, widget=forms.RadioSelect,
        help_text=gettext_lazy("For the sandbox rail."),
    )  # fmt: skip
    token = forms.CharField(
        label=gettext_lazy("Stripe payment method"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("For a card through Stripe: the payment method id Stripe gives (pm_…)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("rail") == SANDBOX and not data.get("token"):
            data["token"] = data.get("card") or ""
        if data.get("token"):
            return data
        if data.get("rail") == SANDBOX:
            self.add_error("card", gettext_lazy("Choose a card."))
        else:
            self.add_error("token", gettext_lazy("Enter the payment method id."))
        return data


def _shop_only(request) -> None:
    if getattr(request, "tenant", None) is None or request.tenant.is_platform:
        raise Http404


def _closure(shop) -> ShopEvent | None:
    """Why the platform deactivated the shop (its latest event), when it is deactivated."""
    if shop.state != ShopState.DEACTIVATED:
        return None
    return ShopEvent.objects.filter(shop=shop, kind=ShopEventKind.DEACTIVATED).order_by("-at", "-id").first()


def _billing_page(request, *, form: PaymentMethodForm | None = None, status: int = 200):
    shop = request.tenant
    overview = subscription_overview(shop_id=shop.pk)
    rail = overview.subscription.payment_rail if overview else SANDBOX
    invoices = [
        (invoice, Money(invoice.amount_minor, invoice.currency).format(), InvoiceStatus(invoice.status).label)
        for invoice in saas_invoice_list(shop_id=shop.pk)
    ]
    context = {
        "shop": shop,
        "closure": _closure(shop),
        "support_email": settings.PAWPACT_SUPPORT_EMAIL,
        "overview": overview,
        "status_label": SubscriptionStatus(overview.subscription.status).label if overview else "",
        "invoices": invoices,
        "form": form or PaymentMethodForm(initial={"rail": rail}),
    }
    return render(request, "platform/saas/billing.html", context, status=status)


@staff_required
@require_GET
def saas_billing(request):
    _shop_only(request)
    return _billing_page(request)


@staff_required
@require_POST
def saas_payment_method(request):
    _shop_only(request)
    form = PaymentMethodForm(request.POST)
    if not form.is_valid():
        return _billing_page(request, form=form, status=400)
    try:
        subscription_payment_method_set(
            shop=request.tenant, rail=form.cleaned_data["rail"], token=form.cleaned_data["token"]
        )
    except DomainError as error:
        for field, field_messages in error.fields.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        if not error.fields:
            form.add_error(None, error.message)
        return _billing_page(request, form=form, status=error.http_status)
    messages.success(request, _("Your payment method was saved."))
    return redirect("saas_billing")


@staff_required
@require_POST
def saas_pay_now(request):
    _shop_only(request)
    try:
        invoice = subscription_pay_now(shop=request.tenant)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("saas_billing")
    if invoice.status == InvoiceStatus.PAID:
        messages.success(request, _("Invoice %(number)s is paid. Thank you!") % {"number": invoice.number})
    else:
        messages.error(
            request,
            _("The payment of invoice %(number)s did not go through. Check your payment method and try again.")
            % {"number": invoice.number},
        )
    return redirect("saas_billing")


@staff_required
@require_GET
def saas_invoice_download(request, number: str):
    _shop_only(request)
    try:
        invoice = saas_invoice_get(shop_id=request.tenant.pk, number=number)
    except SaasInvoiceNotFound:
        raise Http404 from None
    return attachment(saas_invoice_pdf(invoice), content_type="application/pdf", filename=f"{invoice.number}.pdf")


@staff_required
@require_GET
def console_subscriptions(request):
    status = request.GET.get("status")
    subscriptions = subscription_list(status=status if status in SubscriptionStatus.values else None)
    page = Paginator(subscriptions, 50).get_page(request.GET.get("page"))
    rows = [
        (subscription, SubscriptionStatus(subscription.status).label,
         Money(subscription.plan.monthly_price_minor, subscription.plan.currency).format())
        for subscription in page
    ]  # fmt: skip
    return render(
        request,
        "platform/saas/console_subscriptions.html",
        {"page": page, "rows": rows, "statuses": SubscriptionStatus.choices, "status": status},
    )
