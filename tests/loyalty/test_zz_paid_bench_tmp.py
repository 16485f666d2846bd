import time
from datetime import timedelta, date
import uuid
import pytest
from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import FixedClock
from pawpact.customers.models import Customer
from pawpact.loyalty.paid_models import PaidMembership, PaidStatus, PaidCharge
from pawpact.loyalty.paid_renewals import paid_renewals_run
from tests.loyalty.conftest import NOW
from tests.loyalty.paid_helpers import plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_shop")]
N = 2000

def test_bench(shop):
    p = plan(990)
    customers = Customer.objects.bulk_create([Customer(name=f"B{i}", phone=f"1370{i:07d}", birth_date=date(1990,1,1)) for i in range(N)])
    methods = PaymentMethod.objects.bulk_create([PaymentMethod(customer=c, rail="sandbox", token=f"tok_success.{uuid.uuid4().hex[:10]}") for c in customers])
    start = NOW.date() - timedelta(days=31)
    PaidMembership.objects.bulk_create([PaidMembership(customer=c, plan=p, payment_method=m, request_key="k", status=PaidStatus.ACTIVE,
        period_start=start, period_end=NOW.date()) for c, m in zip(customers, methods)])
    t = time.perf_counter()
    ran = paid_renewals_run(clock=FixedClock(NOW))
    first = time.perf_counter() - t
    t = time.perf_counter()
    again = paid_renewals_run(clock=FixedClock(NOW))
    second = time.perf_counter() - t
    print(f"\nBENCH renewals {ran} in {first:.2f}s = {ran/first:.0f}/s; rerun {again} in {second:.3f}s; paid {PaidCharge.objects.filter(status='paid').count()}")
    assert ran == N and again == 0
