"""The customer's account page (/my/): every customer page of the shop, as tiles a thumb can hit."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required(login_url="account_login")
def my_home(request):
    if request.user.is_staff:
        return redirect("workspace:overview")  # staff work in the workspace; the customer menu is not theirs
    return render(request, "workspace/customer_home.html", {"shop": request.tenant})
