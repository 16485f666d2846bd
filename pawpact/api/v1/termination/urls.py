from django.urls import path

from pawpact.api.v1.termination import views

urlpatterns = [
    path(
        "contracts/<uuid:uuid>/termination-quote",
        views.TerminationQuoteCreateApi.as_view(),
        name="api_contract_termination_quote",
    ),
    path(
        "termination-quotes/<str:quote_id>/execute",
        views.TerminationQuoteExecuteApi.as_view(),
        name="api_termination_quote_execute",
    ),
    path("contracts/<uuid:uuid>/pet-loss", views.ContractPetLossTerminateApi.as_view(), name="api_contract_pet_loss"),
    path(
        "contracts/<uuid:uuid>/cooling-off-cancel",
        views.ContractCoolingOffCancelApi.as_view(),
        name="api_contract_cooling_off_cancel",
    ),
    path(
        "contracts/<uuid:uuid>/termination",
        views.ContractTerminationDetailApi.as_view(),
        name="api_contract_termination",
    ),
    path(
        "contracts/<uuid:uuid>/termination/evidence",
        views.TerminationEvidenceDownloadApi.as_view(),
        name="api_contract_termination_evidence",
    ),
]
