from django.urls import path

from pawpact.api.v1.customers import views

urlpatterns = [
    path("auth/sms/code", views.PhoneCodeApi.as_view(), name="api_phone_code"),
    path("auth/sms", views.PhoneSignInApi.as_view(), name="api_phone_sign_in"),
    path("customers", views.CustomerListCreateApi.as_view(), name="api_customer_list"),
    path("customers/register", views.CustomerRegisterApi.as_view(), name="api_customer_register"),
    path(
        "customers/register/confirm", views.CustomerRegisterConfirmApi.as_view(), name="api_customer_register_confirm"
    ),
    path("customers/<uuid:uuid>", views.CustomerDetailUpdateApi.as_view(), name="api_customer_detail"),
    path("pets", views.PetListCreateApi.as_view(), name="api_pet_list"),
    path("pets/<uuid:uuid>", views.PetDetailUpdateApi.as_view(), name="api_pet_detail"),
]
