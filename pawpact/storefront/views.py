from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pawpact.billing.enums import PeriodStatus
from pawpact.billing.models import Contract
from pawpact.billing.selectors import calendar_list


@login_required(login_url="account_login")
def my_contracts(request):
    """The customer's plans with their debit calendars: every date and amount, up front."""
    contracts = (
        Contract.objects.filter(customer__user=request.user)
        .select_related("pet", "plan_version__plan")
        .order_by("-created_at")
    )
    rows = [
        (contract, [(period, PeriodStatus(period.status).label) for period in calendar_list(contract=contract)])
        for contract in contracts
    ]
    return render(request, "storefront/my_contracts.html", {"rows": rows, "shop": request.tenant})
