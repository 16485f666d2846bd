"""Loyalty's pages on the shop's domain: the exit survey (/survey/<token>/, no login; the
token is the key) and the customer's own membership (/my/membership/)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from pawpact.core.errors import Conflict, DomainError, NotFound
from pawpact.customers.models import Customer
from pawpact.loyalty.benefits import member_benefits_get
from pawpact.loyalty.members import member_points, member_progress, points_expiring
from pawpact.loyalty.models import Membership
from pawpact.loyalty.pricing import paid_plan_of
from pawpact.loyalty.selectors import benefits_effective
from pawpact.loyalty.services import SURVEY_COMMENT_MAX, survey_answer, survey_get

SCORES = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend us? (1 = not at all, 5 = very)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us?"), required=False, max_length=SURVEY_COMMENT_MAX, widget=forms.Textarea
    )


@require_http_methods(["GET", "POST"])
def survey_page(request, token: str):
    try:
        survey = survey_get(token=token)
    except NotFound as error:
        raise Http404 from error
    context = {"shop": getattr(request, "tenant", None), "survey": survey, "answered": survey.answered_at is not None}
    if context["answered"]:
        return render(request, "loyalty/survey.html", context)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except Conflict:
            pass  # answered in another tab meanwhile: thank them all the same
        except DomainError as error:
            form.add_error(None, error.message)
            return render(request, "loyalty/survey.html", {**context, "form": form}, status=400)
        return render(request, "loyalty/survey.html", {**context, "answered": True})
    return render(request, "loyalty/survey.html", {**context, "form": form}, status=400 if form.errors else 200)


@login_required(login_url="account_login")
def my_membership(request):
    """The customer's tier, the way to the next one, its benefits, and their points."""
    customer = Customer.objects.filter(user=request.user).first()
    context = {"shop": getattr(request, "tenant", None), "customer": customer, "benefits": member_benefits_get()}
    if customer is not None:
        membership = Membership.objects.select_related("tier").filter(customer=customer).first()
        context.update(
            membership=membership, effective=benefits_effective(membership=membership, plan=paid_plan_of(customer=customer)),
            progress=member_progress(customer=customer), expiring=points_expiring(customer=customer),
            page=Paginator(member_points(customer=customer), 30).get_page(request.GET.get("page")),
        )  # fmt: skip
    return render(request, "loyalty/my_membership.html", context)
