from django.urls import path

from pawpact.api.v1.messaging import views

urlpatterns = [
    path("messages", views.MessageListApi.as_view(), name="api_message_list"),
    path("messages/<str:message_id>/read", views.MessageMarkReadApi.as_view(), name="api_message_read"),
    path("sandbox/sms", views.SandboxSmsListApi.as_view(), name="api_sandbox_sms"),
]
