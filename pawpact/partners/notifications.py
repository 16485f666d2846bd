"""Tell the platform admins when a partner's state changes on its own or by another admin."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from pawpact.partners.models import PartnerStateChange

logger = logging.getLogger(__name__)


def _send(change_id: int) -> None:
    change = PartnerStateChange.objects.select_related("partner").get(pk=change_id)
    recipients = list(
        get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return
    subject = f"[Pawpact] {change.partner.name}: {change.get_to_state_display()}"
    body = f"{change.partner.name} ({change.partner.get_kind_display()}): {change.get_reason_display()}."
    if change.average is not None:
        body += f" Average {change.average} stars."
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        # The change itself is recorded and listed in the console; a mail outage must not undo it.
        logger.exception("Could not email the partner change %s", change_id)


def admins_notify(change) -> None:
    """After the change commits: an email to every active platform admin."""
    logger.info("partner %s: %s → %s (%s)", change.partner_id, change.from_state, change.to_state, change.reason)
    transaction.on_commit(lambda: _send(change.pk))
