"""The customer's booking and complaint pages, on the shop host under /my/ (part of care/urls.py)."""
from django.urls import path

from pawpact.care import booking_views, complaint_views

urlpatterns = [
    path("my/book/", booking_views.my_book, name="my_book"),
    path("my/bookings/", booking_views.my_bookings, name="my_bookings"),
    path("my/bookings/<uuid:uuid>/", booking_views.my_booking, name="my_booking"),
    path("my/bookings/<uuid:uuid>/cancel/", booking_views.my_booking_cancel, name="my_booking_cancel"),
    path("my/bookings/<uuid:uuid>/move/", booking_views.my_booking_move, name="my_booking_move"),
    path("my/complaints/", complaint_views.my_complaints, name="my_complaints"),
    path("my/complaints/<uuid:uuid>/", complaint_views.my_complaint, name="my_complaint"),
    path("my/complaints/<uuid:uuid>/photos/<int:photo_id>/", complaint_views.my_complaint_photo, name="my_complaint_photo"),
    path("my/complaints/<uuid:uuid>/<str:answer>/", complaint_views.my_complaint_answer, name="my_complaint_answer"),
]
