"""The price list of the current location: the catalog price and the location's own, with
its history; managers set the location's price."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.billing import services, view_selectors
from vetrisys.billing.forms import optional_decimal
from vetrisys.billing.prices import current_price
from vetrisys.billing.views.common import (
    PAGE_SIZE,
    can,
    current_location,
    error_text,
    query_string,
    render_at,
)
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.views import staff_view
from vetrisys.inventory import selectors as inventory_selectors


@staff_view
def price_list(request: HttpRequest) -> HttpResponse:
    """Products with the catalog price and this location's current price."""
    location = current_location(request)
    query = request.GET.get("q", "").strip()[:100]
    rows = view_selectors.price_rows(actor=request.user, location=location, q=query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_at(
        request, location, "billing/prices.html",
        {"page_obj": page, "query": query, "query_string": query_string(request, "q"),
         "can_manage": can(request, Capability.PRICES_MANAGE, location)},
    )  # fmt: skip


@staff_view
def price_edit(request: HttpRequest, product_id: UUID) -> HttpResponse:
    """Set the location's price of one product (a new entry of its history)."""
    location = current_location(request)
    product = inventory_selectors.product_get(actor=request.user, product_id=product_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            price = optional_decimal(request.POST.get("price"), "price")
            if price is None:
                raise ValidationFailed.for_field("price", _("Enter the price."))
            services.price_set(actor=request.user, location=location, product=product, price=price)
        except (ValidationFailed, Conflict) as error:
            errors.append(error_text(error))
        else:
            messages.success(request, _("Price of %(name)s updated.") % {"name": product.name})
            return HttpResponseRedirect(reverse("billing:prices") + f"?q={product.name}")
    return render_at(
        request, location, "billing/price_edit.html",
        {"product": product, "current": current_price(location, product), "errors": errors,
         "history": view_selectors.price_history(location=location, product=product),
         "can_manage": can(request, Capability.PRICES_MANAGE, location)},
        status=422 if errors else 200,
    )  # fmt: skip
