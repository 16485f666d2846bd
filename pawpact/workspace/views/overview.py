"""概况: today's figures, the to-do list and the last twelve months."""
from django.shortcuts import render

from pawpact.workspace.charts import debit_success_chart, signings_and_collections_chart
from pawpact.workspace.selectors.overview import overview_months, overview_today, overview_todo
from pawpact.workspace.views.frame import workspace_view


@workspace_view(section="overview")
def overview(request):
    months = overview_months()
    context = {
        "today": overview_today(),
        "todo": overview_todo(),
        "months": months,
        "activity_chart": signings_and_collections_chart(months),
        "success_chart": debit_success_chart(months),
    }
    return render(request, "workspace/overview.html", context)
