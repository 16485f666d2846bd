"""Email to customers through the shop's own email provider (ESP), by django-anymail.

Why anymail: one maintained library speaks the send APIs of the ESPs shops use (Postmark,
SendGrid, Brevo, Resend, ...), reports each recipient's status and the ESP's message id,
and raises one error family for every refusal; we only map a shop's credentials to its
backend. Test mode without test credentials uses anymail's test backend: the message is
built and handed over exactly as a real one (Django's outbox keeps it) and reaches nobody.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from pawpact.tenants.credentials import Credentials
from pawpact.tenants.modes import sandbox_refuse_in_live

logger = logging.getLogger(__name__)
# The ESPs a shop may choose, and the name each anymail backend gives its API key.
ESP_KEY_SETTING = {"postmark": "server_token", "sendgrid": "api_key", "brevo": "api_key", "resend": "api_key"}
REFUSED_STATUSES = frozenset({"rejected", "invalid", "failed", "bounced"})


def email_reason(code: str) -> str:
    """Why the ESP refused, as an admin reads it (anymail's error names are for developers)."""
    if code.startswith("recipient_"):
        return _("The email provider refused to send to the shop's own sender address; confirm that address there.")
    if code.startswith("Anymail"):
        return _("The email provider refused the request: check the API key, and that the sender address is "
                 "confirmed at the provider.")  # fmt: skip
    return _("The email provider refused: %(code)s.") % {"code": code}


class EmailFailed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class EmailReceipt:
    provider_ref: str


def _send(connection, *, sender: str, to: str, subject: str, text: str, out_id: str) -> EmailReceipt:
    if not to:
        raise EmailFailed("no_email")
    message = EmailMessage(subject=subject or text[:60], body=text, from_email=sender, to=[to], connection=connection)
    message.metadata = {"message": out_id}
    try:
        message.send()
    except AnymailRecipientsRefused:
        raise EmailFailed("recipient_rejected") from None
    except AnymailError as error:
        code = type(error).__name__
        logger.warning("Email provider refused a message: %s", code)
        raise EmailFailed(code) from None
    status = message.anymail_status
    if status.status and status.status <= REFUSED_STATUSES:
        raise EmailFailed("recipient_" + sorted(status.status)[0])
    return EmailReceipt(provider_ref=str(status.message_id or ""))


class EspEmail:
    """A shop's account at one ESP (credentials: esp, from_email; secret api_key)."""

    is_sandbox = False

    def __init__(self, *, credentials: Credentials, api_url: str = "") -> None:
        esp = credentials.config["esp"]
        options = {ESP_KEY_SETTING[esp]: credentials.secrets["api_key"]}
        if api_url:
            options["api_url"] = api_url
        self.sender = credentials.config["from_email"]
        self._connection = get_connection(f"anymail.backends.{esp}.EmailBackend", **options)

    def send(self, *, to: str, subject: str, text: str, out_id: str) -> EmailReceipt:
        return _send(self._connection, sender=self.sender, to=to, subject=subject, text=text, out_id=out_id)

    def verify(self) -> None:
        """Prove the key works and the sender is confirmed: a note to the shop's own sender address."""
        self.send(
            to=self.sender,
            subject=_("Pawpact: your email settings work"),
            text=_("Customers' emails will be sent from this address."),
            out_id="credential-check",
        )


class SandboxEmail:
    """Test mode's email: built and handed to anymail's test backend, reaching nobody."""

    is_sandbox = True

    def __init__(self, *, livemode: bool, sender: str) -> None:
        sandbox_refuse_in_live(provider=_("The sandbox email provider"), livemode=livemode)
        self.sender = sender
        self._connection = get_connection("anymail.backends.test.EmailBackend")

    def send(self, *, to: str, subject: str, text: str, out_id: str) -> EmailReceipt:
        receipt = _send(self._connection, sender=self.sender, to=to, subject=subject, text=text, out_id=out_id)
        return EmailReceipt(provider_ref=f"sandbox-{receipt.provider_ref}")
