from rest_framework.authtoken.models import Token

from pawpact.accounts.models import User


def api_token_issue(*, user: User) -> str:
    """The user's API token in the current shop, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


def api_token_revoke(*, user: User) -> bool:
    """Sign the user out of the API everywhere: their token stops working. True if there was one."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return bool(deleted)
