from django.urls import path

from pawpact.api.v1.renewals import views

urlpatterns = [
    path("renewal-offers", views.RenewalOfferListApi.as_view(), name="api_renewal_offer_list"),
    path(
        "renewal-offers/<str:offer_id>/accept",
        views.RenewalOfferAcceptApi.as_view(),
        name="api_renewal_offer_accept",
    ),
]
