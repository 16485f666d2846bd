"""营销 Marketing: segments (saved filters with their member counts) and campaigns (a coupon
or a message to a segment, sent in the background: progress, then sent / suppressed /
redeemed in a chart). Owner and manager only."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pawpact.core.errors import DomainError
from pawpact.loyalty.campaigns import campaign_create
from pawpact.loyalty.coupon_models import CampaignKind, CampaignStatus
from pawpact.loyalty.coupon_selectors import campaign_list, segments_with_counts
from pawpact.loyalty.segments import segment_describe, segment_save
from pawpact.workspace.enums import Action
from pawpact.workspace.forms import form_errors_apply
from pawpact.workspace.marketing_forms import CampaignForm, SegmentForm
from pawpact.workspace.views.frame import workspace_view


@workspace_view(Action.MARKETING, section="marketing")
def segments(request):
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment_save(name=form.cleaned_data["name"], filters=form.filters())
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("The segment is saved."))
            return redirect("workspace:marketing_segments")
    rows = [(segment, count, segment_describe(segment.filters)) for segment, count in segments_with_counts()]
    return render(request, "workspace/marketing/segments.html", {"rows": rows, "form": form, "tab": "segments"},
                  status=400 if form.errors else 200)  # fmt: skip


@workspace_view(Action.MARKETING, section="marketing")
def campaigns(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(name=data["name"], segment=data["segment"], kind=data["kind"],
                                       template=data["template"], subject=data["subject"], body=data["body"])  # fmt: skip
        except DomainError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, _("The campaign is on its way."))
            return redirect("workspace:marketing_campaign", uuid=campaign.uuid)
    return render(request, "workspace/marketing/campaigns.html",
                  {"campaigns": campaign_list()[:100], "form": form, "tab": "campaigns"},
                  status=400 if form.errors else 200)  # fmt: skip


def _results_chart(campaign) -> dict:
    labels = [_("Sent"), _("Suppressed (frequency cap)")]
    values = [campaign.sent, campaign.suppressed]
    if campaign.kind == CampaignKind.COUPON:
        labels += [_("Coupons issued"), _("Skipped"), _("Redeemed")]
        values += [campaign.issued, campaign.skipped, campaign.redeemed]
    return {
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": labels, "inverse": True},
        "series": [{"type": "bar", "data": values, "label": {"show": True, "position": "right"},
                    "itemStyle": {"color": "#2f7d6d"}}],
    }  # fmt: skip


@workspace_view(Action.MARKETING, section="marketing")
def campaign_detail(request, uuid):
    campaign = get_object_or_404(campaign_list(), uuid=uuid)
    running = campaign.status in (CampaignStatus.QUEUED, CampaignStatus.RUNNING)
    context = {"campaign": campaign, "running": running, "chart": _results_chart(campaign), "tab": "campaigns",
               "audience": segment_describe(campaign.segment.filters)}  # fmt: skip
    if request.headers.get("HX-Request") and request.GET.get("part") == "progress":
        return render(request, "workspace/marketing/_progress.html", context)
    return render(request, "workspace/marketing/campaign.html", context)


