"""Accounts receivable: who owes and since when, a client's statement (page and PDF), and the
installments of payment plans that are due or overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from vetrisys.billing import documents, view_selectors
from vetrisys.billing.views.common import current_location, render_at
from vetrisys.clients import selectors as client_selectors
from vetrisys.core.timeutil import today_in
from vetrisys.core.views import staff_view

RECEIVABLES_LIMIT = 200


@staff_view
def receivables(request: HttpRequest) -> HttpResponse:
    """Clients with a balance, by age (current, 31-60, 61-90, over 90 days)."""
    location = current_location(request)
    today = today_in(location.time_zone)
    rows = list(
        view_selectors.receivables(actor=request.user, today=today, zone=location.time_zone)[
            :RECEIVABLES_LIMIT
        ]
    )
    return render_at(
        request, location, "billing/receivables.html",
        {"rows": rows, "totals": view_selectors.receivable_totals(rows), "today": today},
    )  # fmt: skip


def _statement_context(request: HttpRequest, client_id: UUID) -> dict[str, Any]:
    location = current_location(request)
    client = client_selectors.client_get(actor=request.user, client_id=client_id)
    invoices = view_selectors.statement_invoices(actor=request.user, client=client)
    lines = view_selectors.statement_lines(invoices, location.time_zone)
    open_invoices = [i for i in invoices if i.balance > 0]
    return {
        "location": location,
        "organization": location.organization,
        "client": client,
        "lines": lines,
        "open_invoices": open_invoices,
        "balance": lines[-1].balance if lines else 0,
        "currency": location.currency,
        "today": today_in(location.time_zone),
        "kind_label": translation.gettext("Statement of account"),
    }


@staff_view
def statement(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """A client's statement: invoices, payments and credit notes with the running balance."""
    context = _statement_context(request, client_id)
    return render_at(request, context["location"], "billing/statement.html", context)


@staff_view
def statement_pdf(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The statement as PDF, in the client's language."""
    context = _statement_context(request, client_id)
    client = context["client"]
    language = documents.client_language(client)
    with translation.override(language):
        context["kind_label"] = translation.gettext("Statement of account")
    pdf = documents.render_in(language, "billing/statement_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{context["today"]}.pdf"'
    return response


@staff_view
def plan_list(request: HttpRequest) -> HttpResponse:
    """Installments due in the coming week and overdue ones, at the current location."""
    location = current_location(request)
    today = today_in(location.time_zone)
    due = view_selectors.installments_due(
        actor=request.user, location=location, until=today + dt.timedelta(days=7)
    )
    return render_at(
        request, location, "billing/plans.html",
        {"overdue": [i for i in due if i.due_on < today],
         "upcoming": [i for i in due if i.due_on >= today], "today": today},
    )  # fmt: skip
