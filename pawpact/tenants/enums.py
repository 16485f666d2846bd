from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ShopState(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    # Open for business (营业中); a contract or subscription that is "Active" is in force (生效中).
    ACTIVE = "active", pgettext_lazy("shop state", "Active")
    DEACTIVATED = "deactivated", _("Deactivated")


class ShopEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("shop event", "Created")
    ACTIVATED = "activated", pgettext_lazy("shop event", "Activated")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")
    WENT_LIVE = "went_live", _("Switched to live mode")
    BACK_TO_TEST = "back_to_test", _("Switched back to test mode")


class ShopRiskState(models.TextChoices):
    """Kept by the platform's risk controls; a blocked shop cannot sign new contracts."""

    HEALTHY = "healthy", _("Healthy")
    WATCH = "watch", _("Watch")
    BLOCKED_NEW_SIGNINGS = "blocked_new_signings", _("New signings blocked")


class ShopMode(models.TextChoices):
    """As Stripe has them: test mode moves pretend money through sandbox providers only;
    live mode moves real money through the shop's verified providers only."""

    TEST = "test", _("Test mode")
    LIVE = "live", _("Live mode")


class Provider(models.TextChoices):
    """The outside providers a shop holds credentials for."""

    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    ALIYUN_SMS = "aliyun_sms", _("Aliyun SMS")
    ZHIMA = "zhima", _("Zhima credit (Alipay)")
    EMAIL = "email", _("Email provider")
    # The shop's mini-program (api.weixin.qq.com): customers sign in with wx.login() codes.
    MINIPROGRAM = "miniprogram", _("WeChat mini-program")
