from django.db import models
from django.utils.translation import gettext_lazy as _


class Rail(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox")
    STRIPE = "stripe", _("Card (Stripe)")
    ALIPAY = "alipay", _("Alipay auto-debit")
    WECHAT = "wechat", _("WeChat Pay auto-debit")


class DeclineType(models.TextChoices):
    SOFT = "soft", _("Soft decline (retry)")
    HARD = "hard", _("Hard decline (new payment method needed)")
