"""The back office's call queue: open tasks with outcome notes, closed through the service;
deferral coupons issued by staff within the shop's allowance."""
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.enums import CallTaskStatus
from pawpact.billing.models import CallTask, DeferralCoupon
from tests.billing.lifecycle.dunning.helpers import DUE, day, debit_run_on, dunning_on, late_contract, on
from tests.conftest import SHOP_PASSWORD, host_of


def _back_office(shop) -> Client:
    client = Client(HTTP_HOST=host_of(shop), HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/admin/login/?next=/admin/", {"username": shop.owner.email, "password": SHOP_PASSWORD})
    assert response.status_code == 302
    return client


def test_staff_see_open_tasks_and_record_the_outcome(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_hard_decline")
        debit_run_on(DUE)
        for each in (DUE, day(11), day(13)):
            dunning_on(each)
        task = CallTask.objects.get(customer=contract.customer)
    office = _back_office(shop)
    with on(day(13), 15, 0):
        queue = office.get("/admin/billing/calltask/").content.decode()
        assert contract.customer.phone in queue and "¥399.00" in queue and "2 of 12, due 2026-02-10" in queue

        empty = office.post(f"/admin/billing/calltask/{task.pk}/change/", {"outcome_note": " ", "status": "done"})
        assert empty.status_code == 200  # the form again, with its error
        with schema_context(shop.schema_name):
            assert CallTask.objects.get(pk=task.pk).status == CallTaskStatus.OPEN

        saved = office.post(
            f"/admin/billing/calltask/{task.pk}/change/", {"outcome_note": "Will pay on Friday.", "status": "done"}
        )
        assert saved.status_code == 302
        with schema_context(shop.schema_name):
            task.refresh_from_db()
        assert (task.status, task.outcome_note, task.assigned_to.email) == (
            "done", "Will pay on Friday.", shop.owner.email,
        )  # fmt: skip
        assert contract.customer.phone not in office.get("/admin/billing/calltask/").content.decode()
        assert "Will pay on Friday." in office.get("/admin/billing/calltask/?queue=closed").content.decode()


def test_staff_issue_a_deferral_coupon_within_the_allowance(shop):
    with schema_context(shop.schema_name):
        contract = late_contract("tok_success")
    office = _back_office(shop)
    form = {"contract": contract.pk, "reason": "Goodwill"}
    assert office.post("/admin/billing/deferralcoupon/add/", form).status_code == 302
    again = office.post("/admin/billing/deferralcoupon/add/", form)
    assert again.status_code == 200
    assert "This contract has used its 1 deferral: the shop allows 1 per contract." in again.content.decode()
    with schema_context(shop.schema_name):
        assert list(DeferralCoupon.objects.filter(contract=contract).values_list("reason", flat=True)) == ["Goodwill"]
