"""Every stored message, for staff: read-only (messages are records of what was sent)."""
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pawpact.core.admin import ShopOnlyAdmin
from pawpact.messaging.models import Message


@admin.register(Message)
class MessageAdmin(ShopOnlyAdmin):
    list_display = ["created_at", "customer", "channel", "category", "topic", "status", "short_body", "read_at"]
    list_filter = ["status", "category", "channel", "topic"]
    search_fields = ["customer__name", "customer__phone", "body", "dedupe_key"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "customer", "channel", "category", "topic", "subject", "body", "dedupe_key", "status", "backend",
        "created_at", "read_at",
    ]  # fmt: skip

    @admin.display(description=_("message"))
    def short_body(self, message: Message) -> str:
        return message.body if len(message.body) <= 80 else message.body[:79] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
