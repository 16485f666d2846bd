"""The owner's billing page, mounted at /billing/saas/ on shop domains (pawpact.config.urls_tenant)."""
from django.urls import path

from pawpact.platform.saas import views

urlpatterns = [
    path("", views.saas_billing, name="saas_billing"),
    path("payment-method/", views.saas_payment_method, name="saas_payment_method"),
    path("pay/", views.saas_pay_now, name="saas_pay_now"),
    path("invoices/<str:number>.pdf", views.saas_invoice_download, name="saas_invoice_pdf"),
]
