import hashlib
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from pawpact.accounts.models import ApiDevice, User, WeChatIdentity
from pawpact.core import rows


def staff_list() -> QuerySet[User]:
    """The current shop's staff members (the schema in use decides the shop)."""
    return User.objects.filter(is_staff=True)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_device_by_access_token(*, token: str) -> ApiDevice | None:
    """The device whose access token this is (revoked and expired ones too: the caller says which),
    its user loaded with it. Read fresh on every request, so a revocation counts at once; one
    statement composed once per process (pawpact.core.rows), as every API request makes it."""
    with connection.cursor() as cursor:
        cursor.execute(_device_by_digest_sql(), [token_digest(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    device = rows.instance(ApiDevice, row, 0, connection.alias)
    user = rows.instance(User, row, rows.width(ApiDevice), connection.alias)
    ApiDevice._meta.get_field("user").set_cached_value(device, user)
    return device


@cache
def _device_by_digest_sql() -> str:
    return (
        f"SELECT {rows.columns(ApiDevice, 'd')}, {rows.columns(User, 'u')}"
        f' FROM "{ApiDevice._meta.db_table}" d JOIN "{User._meta.db_table}" u ON u."{User._meta.pk.column}" = d."user_id"'
        ' WHERE d."access_digest" = %s'
    )


def api_device_list(*, user: User) -> QuerySet[ApiDevice]:
    """The user's signed-in devices, most recently used first."""
    return ApiDevice.objects.filter(user=user, revoked_at__isnull=True).order_by("-last_used_at", "-id")


def wechat_user(*, openid: str) -> User | None:
    """The login a WeChat user is linked to here, if any."""
    identity = WeChatIdentity.objects.select_related("user").filter(openid=openid).first()
    return identity.user if identity is not None else None
