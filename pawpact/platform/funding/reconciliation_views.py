"""The console's list of open reconciliation mismatches, with amount and age."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from pawpact.core.clock import default_clock
from pawpact.platform.funding.reconciliation import mismatch_age_days, mismatch_open_list


@staff_member_required(login_url="account_login")
def console_reconciliation(request):
    today = default_clock.today()
    rows = [(mismatch, mismatch_age_days(mismatch, today=today)) for mismatch in mismatch_open_list()[:500]]
    return render(request, "platform/reconciliation.html", {"rows": rows})
