from django.urls import path

from pawpact.api.v1.care import views

urlpatterns = [
    path("care/services", views.ServiceTypeListCreateApi.as_view(), name="api_care_service_list"),
    path("care/services/<uuid:uuid>", views.ServiceTypeDetailApi.as_view(), name="api_care_service_detail"),
    path("care/resources", views.ResourceListCreateApi.as_view(), name="api_care_resource_list"),
    path("care/resources/<uuid:uuid>/days-off", views.ResourceDayOffApi.as_view(), name="api_care_day_off"),
    path("care/slots", views.SlotListApi.as_view(), name="api_care_slot_list"),
    path("care/bookings", views.BookingListCreateApi.as_view(), name="api_care_booking_list"),
    path("care/bookings/<uuid:uuid>", views.BookingDetailApi.as_view(), name="api_care_booking_detail"),
    path("care/bookings/<uuid:uuid>/reschedule", views.BookingRescheduleApi.as_view(), name="api_care_booking_reschedule"),
    path("care/bookings/<uuid:uuid>/cancel", views.BookingCancelApi.as_view(), name="api_care_booking_cancel"),
    path("care/bookings/<uuid:uuid>/complete", views.BookingCompleteApi.as_view(), name="api_care_booking_complete"),
    path("care/bookings/<uuid:uuid>/no-show", views.BookingNoShowApi.as_view(), name="api_care_booking_no_show"),
    path("care/complaints", views.ComplaintListCreateApi.as_view(), name="api_care_complaint_list"),
    path("care/complaints/<uuid:uuid>", views.ComplaintDetailApi.as_view(), name="api_care_complaint_detail"),
    path("care/complaints/<uuid:uuid>/respond", views.ComplaintRespondApi.as_view(), name="api_care_complaint_respond"),
    path("care/complaints/<uuid:uuid>/resolve", views.ComplaintResolveApi.as_view(), name="api_care_complaint_resolve"),
    path("care/complaints/<uuid:uuid>/confirm", views.ComplaintConfirmApi.as_view(), name="api_care_complaint_confirm"),
    path("care/complaints/<uuid:uuid>/reopen", views.ComplaintReopenApi.as_view(), name="api_care_complaint_reopen"),
]
