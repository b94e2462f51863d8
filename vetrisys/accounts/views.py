"""Staff screens of accounts: dashboard, staff, roles, organization and locations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in."""
    return render(request, "accounts/dashboard.html")
