"""django-allauth adapter: staff accounts are created by admins, never by sign-up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class StaffAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """No self sign-up; sign-ins and failures go to the audit log."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)
        from vetrisys.audit.services import record

        record(actor=user, action="auth.login", target=user)
