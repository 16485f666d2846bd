"""Every workspace action against every role: the table in pawpact.workspace.roles, end to end.

A refused action answers the 403 page and changes nothing (the views check the role
before they read the form)."""
import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import ContractHold, DeferralCoupon, Plan
from pawpact.workspace.enums import Role
from pawpact.workspace.models import WorkspaceEvent
from tests.workspace.conftest import client_for, staff_user
from tests.workspace.test_pages import active_contract

pytestmark = pytest.mark.django_db

# (what, method, path, data) → the roles allowed
ACTIONS = [
    ("overview", "get", "/manage/", {}, {Role.OWNER, Role.MANAGER, Role.CLERK}),
    ("contract page", "get", "/manage/contracts/{contract}/", {}, {Role.OWNER, Role.MANAGER, Role.CLERK}),
    ("new signing", "get", "/manage/signings/new/", {}, {Role.OWNER, Role.MANAGER, Role.CLERK}),
    ("plans", "get", "/manage/plans/", {}, {Role.OWNER, Role.MANAGER, Role.CLERK}),
    ("new plan", "get", "/manage/plans/new/", {}, {Role.OWNER, Role.MANAGER}),
    ("hold", "post", "/manage/contracts/{contract}/hold/", {"reason": "Customer away"}, {Role.OWNER, Role.MANAGER}),
    ("deferral", "post", "/manage/contracts/{contract}/deferral-issue/", {"reason": "Late salary"}, {Role.OWNER, Role.MANAGER}),
    ("settings", "get", "/manage/settings/", {}, {Role.OWNER}),
    ("billing rules", "get", "/manage/settings/billing/", {}, {Role.OWNER}),
    ("staff", "get", "/manage/settings/staff/", {}, {Role.OWNER}),
    ("settlements", "get", "/settlements/", {}, {Role.OWNER}),
    ("insights", "get", "/insights/", {}, {Role.OWNER, Role.MANAGER}),
    ("subscription", "get", "/billing/saas/", {}, {Role.OWNER}),
]  # fmt: skip


def _effects(shop) -> tuple:
    with schema_context(shop.schema_name):
        return ContractHold.objects.count(), DeferralCoupon.objects.count(), Plan.objects.count(), WorkspaceEvent.objects.count()


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.CLERK])
def test_each_role_may_do_exactly_what_the_table_says(shop, adopter, role):
    contract = active_contract(shop, *adopter)
    client = client_for(shop, staff_user(shop, role))
    for what, method, path, data, allowed in ACTIONS:
        before = _effects(shop)
        response = getattr(client, method)(path.format(contract=contract.uuid), data)
        if role in allowed:
            assert response.status_code in (200, 302), (role, what, response.status_code)
        else:
            assert response.status_code == 403, (role, what, response.status_code)
            assert _effects(shop) == before, (role, what)
