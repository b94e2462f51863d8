"""Notifications in Django's admin: read-only, for operators (the outbox is written by its
services and sent by the job; templates and rules are edited on their screens)."""

from __future__ import annotations

from django.contrib import admin

from vetrisys.accounts.admin import ReadOnlyAdmin
from vetrisys.notifications.models import LocationMessaging, Message, MessageTemplate, ReminderRule


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["scheduled_for", "kind", "channel", "to", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel", "location"]
    search_fields = ["idempotency_key", "provider_id", "to"]
    list_select_related = ["client", "location"]
    date_hierarchy = "scheduled_for"


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "channel", "language", "organization", "is_active", "updated_at"]
    list_filter = ["kind", "channel", "language"]


@admin.register(ReminderRule)
class ReminderRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "trigger", "kind", "offset_minutes", "channel", "is_active"]
    list_filter = ["trigger", "kind", "is_active"]


@admin.register(LocationMessaging)
class LocationMessagingAdmin(ReadOnlyAdmin):
    list_display = ["location", "quiet_from", "quiet_until"]
