from django.urls import path

from pawpact.api.v1.webhooks import views

urlpatterns = [
    path("webhook-event-types", views.EventTypeListApi.as_view(), name="api_webhook_event_types"),
    path("webhook-endpoints", views.WebhookEndpointListCreateApi.as_view(), name="api_webhook_endpoint_list"),
    path("webhook-endpoints/<uuid:endpoint_id>", views.WebhookEndpointDetailApi.as_view(), name="api_webhook_endpoint"),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries",
        views.WebhookDeliveryListApi.as_view(),
        name="api_webhook_delivery_list",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend",
        views.WebhookDeliveryResendApi.as_view(),
        name="api_webhook_delivery_resend",
    ),
]
