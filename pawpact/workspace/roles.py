"""Which role may do what. One table, checked by every workspace view (pawpact.workspace.views.frame)."""
from pawpact.accounts.models import User
from pawpact.workspace.enums import Action, Role
from pawpact.workspace.models import StaffRole

_CLERK = frozenset({Action.VIEW, Action.SIGN, Action.CUSTOMER_EDIT, Action.COLLECT, Action.BOOK, Action.COMPLAINT_ACT})
_MANAGER = _CLERK | {Action.CARE_EDIT, Action.CONTRACT_ACT, Action.WRITE_OFF, Action.CREDIT_OVERRIDE, Action.PLAN_EDIT,
                      Action.INSIGHTS, Action.MARKETING, Action.WEBHOOKS, Action.POINTS_ADJUST,
                      Action.CATALOG_EDIT, Action.ORDER_REFUND}  # fmt: skip
_OWNER = frozenset(Action)

ALLOWED: dict[Role, frozenset[Action]] = {Role.CLERK: _CLERK, Role.MANAGER: _MANAGER, Role.OWNER: _OWNER}


def role_of(user: User | None) -> Role | None:
    """The workspace role of `user`, or None for anyone who is not shop staff (customers, visitors)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    if user.is_superuser:
        return Role.OWNER
    row = StaffRole.objects.filter(user=user).only("role").first()
    return Role(row.role) if row is not None else Role.CLERK


def role_allows(role: Role | None, action: Action) -> bool:
    return role is not None and action in ALLOWED[role]


def user_allows(*, user: User, action: str) -> bool:
    """Whether `user` is shop staff whose role allows `action` (the API's check: settings.PAWPACT_STAFF_ROLE_ALLOWS)."""
    return role_allows(role_of(user), Action(action))
