"""The signing page's debit agreements: the customer picks Alipay 周期扣款 or WeChat 委托代扣,
signs at the provider (a redirect on a phone, a QR code to scan on a desktop) and this page
waits, polling with htmx, until the provider's notification has attached the agreement."""

import time

import segno
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pawpact.billing.activation_schedule import activation_schedule, activation_schedule_text
from pawpact.billing.errors import SigningLinkInvalid
from pawpact.billing.models import Contract, SigningLink
from pawpact.billing.selectors import agreement_rails_offered
from pawpact.billing.services.remote_signing import (
    signing_agreement_attached,
    signing_agreement_begin,
    signing_link_open,
)
from pawpact.payments.enums import Rail
from pawpact.payments.policies import policy_for

SESSION_PREFIX = "signing_agreement"
# Providers notify within seconds; after this the page stops polling and says so.
WAIT_SECONDS = 600
POLL_SECONDS = 2
# The names come with the rails (payments.enums.Rail), so every page words them alike.
RAIL_LABELS = {Rail.ALIPAY: Rail.ALIPAY.label, Rail.WECHAT: Rail.WECHAT.label}
RAIL_HELP = {
    Rail.ALIPAY: _("Sign an Alipay recurring-payment agreement (周期扣款); each month's amount is debited from Alipay."),
    Rail.WECHAT: _("Sign a WeChat Pay entrusted-debit agreement (委托代扣); each month's amount is debited from WeChat Pay."),
}
PHONE_AGENTS = ("iphone", "android", "mobile", "micromessenger", "alipayclient")


def is_phone(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "").lower()
    return any(word in agent for word in PHONE_AGENTS)


def agreement_begin(request, link: SigningLink, token: str) -> str:
    """Start the signing at the provider; the URL to send the customer to."""
    back = request.build_absolute_uri(reverse("signing_page", kwargs={"token": token}))
    start = signing_agreement_begin(link=link, rail=request.POST.get("rail", ""), return_url=back)
    request.session[f"{SESSION_PREFIX}:{link.pk}"] = {"rail": start.rail, "url": start.url, "at": time.time()}
    return start.url


def agreement_context(request, link: SigningLink, token: str) -> dict:
    """What the page shows about agreements: the rails offered, and the one being signed."""
    waiting = request.session.get(f"{SESSION_PREFIX}:{link.pk}")
    attached = signing_agreement_attached(link)
    contract = Contract.objects.select_related("payment_method").get(pk=link.contract_id)
    context = {
        "token": token,
        "agreement_rails": [
            {"rail": rail, "label": RAIL_LABELS[rail], "help": RAIL_HELP[rail], "when": schedule_text(contract, rail)}
            for rail in agreement_rails_offered(livemode=link.contract.livemode)
        ],
        "cards_when": schedule_text(contract, Rail.SANDBOX),
        "agreement_attached": attached,
        "agreement_waiting": None,
        "poll_seconds": POLL_SECONDS,
    }
    if attached:
        method = contract.payment_method
        context["attached_label"] = RAIL_LABELS.get(method.rail, method.label)
        needs_notice = bool(policy_for(method.rail).pre_debit_notice_days)
        context["attached_needs_notice"] = needs_notice
        context["attached_when"] = schedule_text(contract, method.rail, after_colon=needs_notice)
    elif waiting:
        context["agreement_waiting"] = {
            "label": RAIL_LABELS.get(waiting["rail"], waiting["rail"]),
            "when": schedule_text(contract, waiting["rail"]),
            "url": waiting["url"],
            "qr": segno.make(waiting["url"], error="m").svg_data_uri(scale=4),
            "timed_out": time.time() - waiting["at"] > WAIT_SECONDS,
        }
    return context


def schedule_text(contract: Contract, rail: str, *, after_colon: bool = False) -> str:
    """When the deposit and the first month are debited, and the plan starts, on that rail."""
    schedule = activation_schedule(contract, rail=rail)
    return activation_schedule_text(schedule, after_colon=after_colon) if schedule is not None else ""


def signing_agreement_status(request, token: str):
    """The waiting box, polled by the signing page until the agreement is attached or time runs out."""
    try:
        link = signing_link_open(token=token)
    except SigningLinkInvalid as error:
        return render(request, "storefront/sign/invalid.html", {"message": error.message, "shop": request.tenant}, status=404)
    context = {"link": link, "contract": link.contract, **agreement_context(request, link, token)}
    return render(request, "storefront/sign/_agreement.html", context)
