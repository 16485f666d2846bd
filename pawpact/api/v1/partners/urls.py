from django.urls import path

from pawpact.api.v1.partners import views

urlpatterns = [
    path("partners/clinics/nearby", views.NearbyClinicsApi.as_view(), name="api_partner_clinics_nearby"),
    path("partners", views.PartnerListApi.as_view(), name="api_partner_list"),
    path("partners/bookings", views.PartnerBookingListCreateApi.as_view(), name="api_partner_booking_list"),
    path(
        "partners/bookings/<str:booking_id>/complete",
        views.PartnerBookingActApi.as_view(action="complete"),
        name="api_partner_booking_complete",
    ),
    path(
        "partners/bookings/<str:booking_id>/cancel",
        views.PartnerBookingActApi.as_view(action="cancel"),
        name="api_partner_booking_cancel",
    ),
    path("partners/bookings/<str:booking_id>/rating", views.PartnerRatingApi.as_view(), name="api_partner_rating"),
]
