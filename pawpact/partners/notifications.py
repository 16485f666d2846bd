"""Tell the platform admins when a partner's state changes on its own or by another admin."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from pawpact.partners.models import PartnerMember, PartnerStateChange

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


def member_invitation_send(*, member_id: int, login_url: str) -> None:
    """Mail the invited person a link to choose their password, then the partner portal."""
    member = PartnerMember.objects.select_related("partner", "user").get(pk=member_id)
    parts = urlsplit(login_url)
    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(member.user), "key": default_token_generator.make_token(member.user)})  # fmt: skip
    link = f"{parts.scheme}://{parts.netloc}{path}"
    body = (
        f"Pawpact 平台邀请您以「{member.partner.name}」工作人员的身份登录其服务伙伴后台。请先设置密码：\n{link}\n"
        f"然后登录：{login_url}\n\n"
        f"Pawpact invites you, as staff of {member.partner.name}, to its partner portal. Choose your password:\n{link}\n"
        f"then sign in: {login_url}\n"
    )
    try:
        send_mail(f"[Pawpact] 服务伙伴后台邀请 · Partner portal invitation: {member.partner.name}", body, None, [member.user.email])
    except OSError:
        # The membership stands; the admin can send the invitation again from the console.
        logger.exception("Could not email the invitation of partner member %s", member_id)
