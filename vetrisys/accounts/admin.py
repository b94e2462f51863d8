"""Tenancy and people in Django's admin: read-mostly, for operators (staff use the app)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from vetrisys.accounts.models import Location, Organization, Role, Room, StaffMembership, User


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Changes go through the application's services, which audit them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "tax_id", "require_mfa", "created_at"]


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "time_zone", "currency", "tax_rate", "is_active"]
    list_filter = ["organization"]


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ["name", "location", "kind", "is_active"]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ["key", "name", "organization", "is_builtin"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "location", "role"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "organization", "is_active"]
    list_filter = ["organization", "is_active"]
