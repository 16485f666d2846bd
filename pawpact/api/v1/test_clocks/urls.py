from django.urls import path

from pawpact.api.v1.test_clocks import views

urlpatterns = [
    path("test-clocks", views.TestClockListCreateApi.as_view(), name="api_test_clock_list"),
    path("test-clocks/<uuid:clock_id>", views.TestClockDetailApi.as_view(), name="api_test_clock"),
    path("test-clocks/<uuid:clock_id>/attach", views.TestClockAttachApi.as_view(), name="api_test_clock_attach"),
    path("test-clocks/<uuid:clock_id>/advance", views.TestClockAdvanceApi.as_view(), name="api_test_clock_advance"),
]
