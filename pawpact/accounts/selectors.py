import hashlib

from django.db.models import QuerySet

from pawpact.accounts.models import ApiDevice, User, WeChatIdentity


def staff_list() -> QuerySet[User]:
    """The current shop's staff members (the schema in use decides the shop)."""
    return User.objects.filter(is_staff=True)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_device_by_access_token(*, token: str) -> ApiDevice | None:
    """The device whose access token this is (revoked and expired ones too: the caller says which)."""
    return ApiDevice.objects.select_related("user").filter(access_digest=token_digest(token)).first()


def api_device_list(*, user: User) -> QuerySet[ApiDevice]:
    """The user's signed-in devices, most recently used first."""
    return ApiDevice.objects.filter(user=user, revoked_at__isnull=True).order_by("-last_used_at", "-id")


def wechat_user(*, openid: str) -> User | None:
    """The login a WeChat user is linked to here, if any."""
    identity = WeChatIdentity.objects.select_related("user").filter(openid=openid).first()
    return identity.user if identity is not None else None
