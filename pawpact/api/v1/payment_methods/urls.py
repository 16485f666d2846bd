from django.urls import path

from pawpact.api.v1.payment_methods import views

urlpatterns = [
    path("payment-methods", views.PaymentMethodListApi.as_view(), name="api_payment_method_list"),
    path(
        "payment-methods/<str:method_id>",
        views.PaymentMethodDetailDetachApi.as_view(),
        name="api_payment_method_detail",
    ),
]
