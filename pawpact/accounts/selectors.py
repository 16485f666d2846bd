from django.db.models import QuerySet

from pawpact.accounts.models import User


def staff_list() -> QuerySet[User]:
    """The current shop's staff members (the schema in use decides the shop)."""
    return User.objects.filter(is_staff=True)
