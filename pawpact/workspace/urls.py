"""The merchant workspace, mounted at /manage/ on every shop host."""
from django.urls import path

from pawpact.workspace.views import collections, contracts, customers, overview, plans, settings, signings, webhooks

app_name = "workspace"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("signings/", signings.signings, name="signings"),
    path("signings/new/", signings.signing_new, name="signing_new"),
    path("signings/new/<uuid:customer_uuid>/", signings.signing_pet, name="signing_pet"),
    path("signings/new/<uuid:customer_uuid>/<uuid:pet_uuid>/", signings.signing_plan, name="signing_plan"),
    path("signings/<uuid:uuid>/", signings.signing_detail, name="signing_detail"),
    path("signings/<uuid:uuid>/credit/", signings.signing_credit, name="signing_credit"),
    path("signings/<uuid:uuid>/steps/", signings.signing_steps, name="signing_steps"),
    path("signings/<uuid:uuid>/link/", signings.signing_link_new, name="signing_link_new"),
    path("customers/", customers.customers, name="customers"),
    path("customers/<uuid:uuid>/", customers.customer_detail, name="customer_detail"),
    path("pets/<uuid:uuid>/owner/", customers.pet_transfer, name="pet_transfer"),
    path("contracts/", contracts.contracts, name="contracts"),
    path("contracts/<uuid:uuid>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<uuid:uuid>/agreement.pdf", contracts.contract_agreement, name="contract_agreement"),
    path("contracts/<uuid:uuid>/evidence/<str:source>/", contracts.contract_evidence, name="contract_evidence"),
    path("contracts/<uuid:uuid>/<str:action>/", contracts.contract_action, name="contract_action"),
    path("plans/", plans.plans, name="plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("settings/", settings.settings_profile, name="settings"),
    path("settings/licence/", settings.settings_licence, name="settings_licence"),
    path("settings/billing/", settings.settings_billing, name="settings_billing"),
    path("settings/messages/", settings.settings_messages, name="settings_messages"),
    path("settings/warehouse/", settings.settings_warehouse, name="settings_warehouse"),
    path("settings/staff/", settings.settings_staff, name="settings_staff"),
    path("settings/staff/<int:user_id>/", settings.settings_staff_member, name="settings_staff_member"),
    path("settings/log/", settings.settings_log, name="settings_log"),
    path("collections/", collections.collections, name="collections"),
    path("collections/calls/<int:task_id>/", collections.call_task_outcome, name="call_task_outcome"),
    path("collections/periods/<int:period_id>/write-off/", collections.period_write_off, name="period_write_off"),
    path("webhooks/", webhooks.webhooks, name="webhooks"),
    path("webhooks/<uuid:uuid>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<uuid:uuid>/<str:action>/", webhooks.webhook_action, name="webhook_action"),
    path("webhooks/<uuid:uuid>/deliveries/<uuid:delivery_uuid>/resend/", webhooks.webhook_resend, name="webhook_resend"),
]
