from django.urls import path

from pawpact.api.v1.billing import views

urlpatterns = [
    path("plans", views.PlanListApi.as_view(), name="api_plan_list"),
    path("plans/<slug:plan_id>", views.PlanDetailApi.as_view(), name="api_plan_detail"),
    path("plans/<slug:plan_id>/versions", views.PlanVersionCreateApi.as_view(), name="api_plan_version_create"),
    path("contracts", views.ContractListCreateApi.as_view(), name="api_contract_list"),
    path("contracts/<uuid:uuid>", views.ContractDetailApi.as_view(), name="api_contract_detail"),
    path(
        "contracts/<uuid:uuid>/credit-check",
        views.ContractCreditCheckApi.as_view(),
        name="api_contract_credit_check",
    ),
    path(
        "contracts/<uuid:uuid>/credit-consent",
        views.ContractCreditConsentApi.as_view(),
        name="api_contract_credit_consent",
    ),
    path(
        "contracts/<uuid:uuid>/credit-score",
        views.ContractCreditScoreRecordApi.as_view(),
        name="api_contract_credit_score",
    ),
    path("contracts/<uuid:uuid>/agreement", views.ContractAgreementDetailApi.as_view(), name="api_contract_agreement"),
    path(
        "contracts/<uuid:uuid>/agreement.pdf",
        views.ContractAgreementPdfDownloadApi.as_view(),
        name="api_contract_agreement_pdf",
    ),
    path("contracts/<uuid:uuid>/sign", views.ContractSignApi.as_view(), name="api_contract_sign"),
    path(
        "contracts/<uuid:uuid>/payment-method",
        views.ContractPaymentMethodAttachApi.as_view(),
        name="api_contract_payment_method",
    ),
    path(
        "contracts/<uuid:uuid>/agreement-signing",
        views.ContractAgreementSigningApi.as_view(),
        name="api_contract_agreement_signing",
    ),
    path("contracts/<uuid:uuid>/withdraw", views.ContractWithdrawApi.as_view(), name="api_contract_withdraw"),
    path("contracts/<uuid:uuid>/activate", views.ContractActivateApi.as_view(), name="api_contract_activate"),
    path("contracts/<uuid:uuid>/calendar", views.ContractCalendarListApi.as_view(), name="api_contract_calendar"),
]
