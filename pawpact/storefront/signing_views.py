"""The customer's phone: read the agreement, confirm with the SMS code, add a payment method, done.

Mobile-first (390 px). Nothing here links to staff pages or the API. The link's token is
the only way in; after signing, the browser's session remembers the contract so the
customer can create a login and find their plan later.
"""
from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from pawpact.billing.activation_schedule import activation_schedule_text, waiting_schedule
from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import SigningLinkInvalid
from pawpact.billing.models import Contract, CreditConsent, DebitPeriod, TerminationQuote
from pawpact.billing.selectors import termination_quote_summary
from pawpact.billing.services.agreement import agreement_render
from pawpact.billing.services.contract_state import contract_transition_check
from pawpact.billing.services.credit import credit_consent_text
from pawpact.billing.services.remote_signing import (
    SIGNING_CODE_TOPIC,
    CreditConsentGiven,
    signing_agreement_activate,
    signing_code_send,
    signing_link_open,
    signing_pay,
    signing_sign,
)
from pawpact.billing.services.termination import termination_execute, termination_quote
from pawpact.core.errors import DomainError
from pawpact.core.http import client_ip
from pawpact.customers.services import customer_account_create
from pawpact.messaging.models import Channel, Message
from pawpact.payments.enums import Rail
from pawpact.storefront.signing_agreement import agreement_begin, agreement_context, is_phone

SESSION_KEY = "signed_contracts"
CONSENT_TICKED_KEY = "signing_consent_ticked"
# The sandbox rail's test cards (test mode); a live shop offers its real rails here.
TEST_CARDS = [
    ("tok_success", _("Test card: pays")),
    ("tok_insufficient_funds", _("Test card: insufficient funds")),
    ("tok_hard_decline", _("Test card: declined")),
]


class AccountForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)


def _remember(request, contract: Contract) -> None:
    signed = set(request.session.get(SESSION_KEY, []))
    signed.add(str(contract.uuid))
    request.session[SESSION_KEY] = sorted(signed)


def _sandbox_sms(request, contract: Contract) -> str:
    """A shop in test mode sends no real SMS: the page shows what the sandbox would have
    texted, so a demo signing can be finished without reading the database."""
    if request.tenant.mode != "test":
        return ""
    sent = Message.objects.filter(customer=contract.customer, topic=SIGNING_CODE_TOPIC, channel=Channel.SMS)
    return sent.order_by("-created_at", "-id").values_list("body", flat=True).first() or ""


def _signing_act(request, link, token: str):
    """One step of the signing page's form; the page to go to next."""
    contract = link.contract
    action = request.POST.get("action")
    if action == "send":
        signing_code_send(link=link)
        # The box ticked before asking for the code stays ticked when the page comes back.
        request.session[f"{CONSENT_TICKED_KEY}:{link.pk}"] = request.POST.get("consent") == "yes"
    elif action == "sign":
        consent = CreditConsentGiven(agreed=request.POST.get("consent") == "yes", shop_name=request.tenant.name)
        signing_sign(
            link=link, code=request.POST.get("code", ""), ip=client_ip(request) or "",
            user_agent=request.META.get("HTTP_USER_AGENT", ""), consent=consent,
        )  # fmt: skip
        _remember(request, contract)
    elif action == "pay":
        signing_pay(link=link, rail=Rail.SANDBOX, token=request.POST.get("card", ""))
        _remember(request, contract)
        return redirect("signing_done", uuid=contract.uuid)
    elif action == "agreement":
        url = agreement_begin(request, link, token)
        if is_phone(request):  # a desktop shows the QR code instead
            response = redirect(url)
            # WeChat's H5 signing returns the phone to its Referer; same-origin would send none.
            response["Referrer-Policy"] = "no-referrer-when-downgrade"
            return response
    elif action == "activate":
        signing_agreement_activate(link=link)
        _remember(request, contract)
        return redirect("signing_done", uuid=contract.uuid)
    return redirect("signing_page", token=token)


def signing_page(request, token: str):
    try:
        link = signing_link_open(token=token)
    except SigningLinkInvalid as error:
        return render(request, "storefront/sign/invalid.html", {"message": error.message, "shop": request.tenant}, status=404)
    contract, error, fields, status, consent_error = link.contract, None, {}, 200, None
    if request.method == "POST":
        try:
            return _signing_act(request, link, token)
        except DomainError as failure:
            error, fields, status = failure.message, failure.fields, failure.http_status
            if fields and set(fields) == {"consent"}:  # said once, next to the box it is about
                fields, consent_error, error = {}, error, None
        link.refresh_from_db()
        contract.refresh_from_db()
    context = {
        "shop": request.tenant,
        "link": link,
        "contract": contract,
        "version": contract.plan_version,
        "agreement": agreement_render(contract=contract) if contract.signed_at is None else contract.agreement_text,
        "remaining_minor": contract.total_minor - contract.monthly_amount_minor,
        "error": error,
        "fields": fields,
        "cards": TEST_CARDS if not contract.livemode else [],
        "masked_phone": link.phone[:3] + "****" + link.phone[-4:],
        "sandbox_sms": _sandbox_sms(request, contract) if contract.signed_at is None else "",
        "consent": CreditConsent.objects.filter(contract=contract).first(),
        "consent_text": credit_consent_text(shop_name=request.tenant.name),
        "consent_error": consent_error,
        "consent_ticked": request.POST.get("consent") == "yes" if request.method == "POST"
        else request.session.get(f"{CONSENT_TICKED_KEY}:{link.pk}", False),
        "typed_code": request.POST.get("code", "")[:6] if request.method == "POST" else "",
    }
    if link.verified_at is not None:
        context.update(agreement_context(request, link, token))
    return render(request, "storefront/sign/page.html", context, status=status)


def signing_done(request, uuid):
    """After paying: the contract in force, and a login to see it later (unless they have one)."""
    if str(uuid) not in request.session.get(SESSION_KEY, []):
        raise Http404
    contract = Contract.objects.select_related("customer", "pet", "plan_version__plan", "payment_method").filter(uuid=uuid).first()
    if contract is None:
        raise Http404
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = customer_account_create(customer=contract.customer, **form.cleaned_data)
        except DomainError as failure:
            for field, messages in failure.fields.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            if not failure.fields:
                form.add_error(None, failure.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("my_contracts")
    has_account = contract.customer.user_id is not None
    logged_in = has_account and request.user.is_authenticated and request.user.pk == contract.customer.user_id
    waiting = waiting_schedule(contract)
    context = {"shop": request.tenant, "contract": contract, "form": form, "has_account": has_account,
               "logged_in": logged_in,
               "schedule": waiting, "schedule_text": activation_schedule_text(waiting, after_colon=True) if waiting else ""}  # fmt: skip
    return render(request, "storefront/sign/done.html", context | _paid_today(contract))


def _paid_today(contract: Contract) -> dict:
    """What starting took (the first month and the deposit held) and when the next debit is."""
    periods = list(DebitPeriod.objects.filter(contract=contract).order_by("number"))
    first = sum(period.amount_minor for period in periods[:1] if period.status == PeriodStatus.PAID)
    deposit = contract.deposit_minor if contract.deposit_status == DepositStatus.HELD else 0
    upcoming = [period for period in periods if period.status in (PeriodStatus.SCHEDULED, PeriodStatus.REMINDED)]
    return {"first_minor": first, "deposit_minor": deposit, "today_minor": first + deposit,
            "next_period": upcoming[0] if upcoming else None}  # fmt: skip


@login_required(login_url="account_login")
def my_contract_end(request, uuid):
    """The customer ends their plan: the quote first (the free cancellation inside the
    cooling-off period, else the early termination penalty), then its confirmation.
    A refusal is shown with its status: 409 for a plan that is no longer (or not yet) in force."""
    contract = get_object_or_404(
        Contract.objects.select_related("plan_version__plan", "pet"), uuid=uuid, customer__user=request.user
    )
    quote, error = None, None
    try:
        if request.method == "POST":
            contract_transition_check(current=contract.status, target=ContractStatus.TERMINATED_EARLY)
            quote = get_object_or_404(TerminationQuote, pk=request.POST.get("quote"), contract=contract)
            termination_execute(quote=quote, requested_by=request.user)
            return redirect("my_contracts")
        if contract.status == ContractStatus.ACTIVE:
            quote = termination_quote(contract=contract)
    except DomainError as failure:
        error = failure
    context = {
        "shop": request.tenant, "contract": contract, "quote": quote, "error": error.message if error else None,
        "summary": termination_quote_summary(quote) if quote else "",
        "is_free": quote is not None and quote.kind == TerminationKind.COOLING_OFF,
        "is_active": contract.status == ContractStatus.ACTIVE,
    }  # fmt: skip
    return render(request, "storefront/my_contract_end.html", context, status=error.http_status if error else 200)
