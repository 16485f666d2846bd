"""Texts to a phone number that is nobody's yet: registration codes and notices.

They are sent straight through the shop's SMS provider (the sandbox in test mode) and kept
out of `Message`, whose rows belong to a customer; a failure is logged and never shown, since
the person registering must get the same answer whatever happened to the text.
"""
import logging

from pawpact.core.errors import DomainError
from pawpact.messaging.delivery import sms_provider
from pawpact.messaging.sms import SmsFailed
from pawpact.tenants.modes import current_livemode

logger = logging.getLogger(__name__)


def verification_sms_send(*, phone: str, text: str, out_id: str) -> None:
    """Send one text now; a refusal or an unreachable provider is logged, not raised."""
    try:
        sms_provider(livemode=current_livemode()).send(phone=phone, text=text, out_id=out_id)
    except SmsFailed as failed:
        logger.warning("Verification text %s not sent: %s", out_id, failed.code)
    except DomainError as refused:
        logger.warning("Verification text %s not sent: %s", out_id, refused.code)
