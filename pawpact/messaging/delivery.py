"""The backend that reaches customers: SMS by the shop's Aliyun account, email by its ESP.

    PAWPACT_MESSAGE_BACKEND = "pawpact.messaging.delivery.ProviderBackend"   # production

Each shop sends with its own credentials of its mode (pawpact.tenants.credentials): a live
shop only through its verified live providers (without them its messages fail with the
reason, nothing is pretended), a test shop through its test credentials when it has some,
else through the sandboxes, which refuse live messages. In-app messages are the stored rows.
Each message's outcome (the provider's id, or why it failed) is recorded on its row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from django.conf import settings

from pawpact.core.errors import DomainError
from pawpact.customers.models import Customer
from pawpact.messaging.backends import BaseBackend
from pawpact.messaging.email import EmailFailed, EspEmail, SandboxEmail, email_reason
from pawpact.messaging.models import Channel, Message
from pawpact.messaging.services import DeliveryOutcome, messages_delivery_record
from pawpact.messaging.sms import BEIJING, AliyunSms, SandboxSms, SmsFailed, sms_reason
from pawpact.payments.gateways import adapter_for_current_shop
from pawpact.sandbox.gateways.aliyun_sms import FakeAliyunSms
from pawpact.tenants.enums import Provider
from pawpact.tenants.errors import CredentialsMissing
from pawpact.tenants.modes import current_livemode

logger = logging.getLogger(__name__)
ALIYUN_SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com"
# Kept in front of the reason of an attempt that got no answer: the next attempt asks first.
NO_ANSWER = "no_answer:"


def provider_endpoint(provider: str, *, livemode: bool) -> str:
    """Where a provider is reached in that mode (settings.PAWPACT_GATEWAYS; empty: its own default)."""
    return settings.PAWPACT_GATEWAYS.get(provider, {}).get("live" if livemode else "test", "")


def sms_provider(*, livemode: bool):
    """The current shop's SMS provider for the mode: its Aliyun account, or (test mode only) the sandbox.

    Aliyun has no test environment: a test message sent with real Aliyun keys would reach a
    real phone and cost money. So test mode reaches Aliyun's protocol only where a test
    gateway is configured (PAWPACT_ALIYUN_SMS_TEST_GATEWAY, a fake one); otherwise the
    sandbox takes its messages and reports them delivered, like a carrier would."""
    endpoint = provider_endpoint(Provider.ALIYUN_SMS, livemode=livemode)
    if not livemode and not endpoint:
        return SandboxSms(livemode=livemode)
    build = lambda creds, _url: AliyunSms(credentials=creds, endpoint=endpoint or ALIYUN_SMS_ENDPOINT)  # noqa: E731
    return _own_or_sandbox(Provider.ALIYUN_SMS, livemode, build, lambda: SandboxSms(livemode=livemode))


def email_provider(*, livemode: bool):
    """The current shop's email provider for the mode: its ESP account, or (test mode only) the sandbox."""
    api_url = provider_endpoint(Provider.EMAIL, livemode=livemode)
    build = lambda creds, _url: EspEmail(credentials=creds, api_url=api_url)  # noqa: E731
    sandbox = lambda: SandboxEmail(livemode=livemode, sender=settings.DEFAULT_FROM_EMAIL)  # noqa: E731
    return _own_or_sandbox(Provider.EMAIL, livemode, build, sandbox)


def provider_credentials_check(*, credentials, livemode: bool) -> str:
    """"" when the SMS or email provider accepts these credentials, else its reason (readable)."""
    endpoint = provider_endpoint(credentials.provider, livemode=livemode)
    try:
        if credentials.provider == Provider.ALIYUN_SMS:
            if not livemode and not endpoint:
                return _test_sms_credentials_check(credentials)
            AliyunSms(credentials=credentials, endpoint=endpoint or ALIYUN_SMS_ENDPOINT).verify()
        elif credentials.provider == Provider.EMAIL:
            EspEmail(credentials=credentials, api_url=endpoint).verify()
        else:
            return "not a messaging provider"
    except SmsFailed as failed:
        return sms_reason(failed.code)
    except EmailFailed as failed:
        return email_reason(failed.code)
    return ""


def _test_sms_credentials_check(credentials) -> str:
    """Test credentials asked of a local fake Aliyun (its signed protocol, through the same
    SDK) instead of the real one: test mode never touches a real account. The fake knows
    the entered account, as Aliyun would know a real one, so what is proven is that the
    keys sign requests Aliyun's way and the signature and template are named."""
    gateway = FakeAliyunSms().start()
    try:
        gateway.account_register(credentials.config["access_key_id"], credentials.secrets["access_key_secret"])
        gateway.sign_register(credentials.config["sign_name"], approved=True)
        gateway.template_register(credentials.config["template_code"])
        AliyunSms(credentials=credentials, endpoint=gateway.url).verify()
    except SmsFailed as failed:
        return sms_reason(failed.code)
    finally:
        gateway.stop()
    return ""


def _own_or_sandbox(provider: str, livemode: bool, build: Callable, sandbox: Callable):
    try:
        return adapter_for_current_shop(provider, livemode=livemode, build=build)
    except CredentialsMissing:
        if livemode:
            raise
        return sandbox()


def _address(channel: str, customer: Customer | None) -> str:
    if customer is None:
        return ""
    if channel == Channel.SMS:
        return customer.phone
    return customer.user.email if customer.user_id else ""


class ProviderBackend(BaseBackend):
    delivered_channels = frozenset({Channel.IN_APP, Channel.SMS, Channel.EMAIL})
    is_sandbox = False

    def send_messages(self, messages: Sequence[Message]) -> int:
        livemode = current_livemode()
        customers = Customer.objects.select_related("user").in_bulk({m.customer_id for m in messages})
        outcomes: list[DeliveryOutcome] = []
        for channel, get in ((Channel.SMS, sms_provider), (Channel.EMAIL, email_provider)):
            group = [m for m in messages if m.channel == channel]
            if group:
                outcomes += self._send_group(group, get, livemode, customers)
        messages_delivery_record(outcomes=outcomes)
        return sum(1 for m in messages if m.channel == Channel.IN_APP) + sum(1 for o in outcomes if not o.failure)

    @staticmethod
    def _send_group(group, get_provider, livemode: bool, customers: dict) -> list[DeliveryOutcome]:
        try:
            provider = get_provider(livemode=livemode)
        except DomainError as refused:
            reason = f"{refused.code}: {refused.message}"
            return [DeliveryOutcome(message_id=m.pk, failure=reason) for m in group]
        return [ProviderBackend._attempt(provider, message, customers) for message in group]

    @staticmethod
    def _attempt(provider, message: Message, customers: dict) -> DeliveryOutcome:
        to = _address(message.channel, customers.get(message.customer_id))
        try:
            if message.channel == Channel.SMS:
                if message.failure_reason.startswith(NO_ANSWER) and provider.sent_lookup(
                    phone=to, out_id=message.dedupe_key, sent_on=beijing_date(message.created_at)
                ):
                    return DeliveryOutcome(message_id=message.pk)  # the lost answer was a yes: never sent twice
                receipt = provider.send(phone=to, text=message.body, out_id=message.dedupe_key)
            else:
                receipt = provider.send(to=to, subject=message.subject, text=message.body, out_id=message.dedupe_key)
        except SmsFailed as failed:
            reason = f"{NO_ANSWER}{failed.code}" if failed.no_answer else failed.code
            return DeliveryOutcome(message_id=message.pk, failure=reason, retry=failed.is_transient)
        except EmailFailed as failed:
            return DeliveryOutcome(message_id=message.pk, failure=failed.code)
        return DeliveryOutcome(message_id=message.pk, provider_ref=receipt.provider_ref)


def beijing_date(instant) -> date:
    """The day Aliyun filed a message under (its send dates are Beijing dates)."""
    return instant.astimezone(BEIJING).date()
