"""Staff screens of inventory: stock on hand, products, receive, dispense/adjust/waste,
transfer, movement history, alerts, counts and purchase orders. Scanner-friendly: the focused
code box takes a barcode followed by Enter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.core.errors import Conflict, NotFound, ValidationFailed
from vetrisys.core.views import staff_view
from vetrisys.inventory import selectors, services
from vetrisys.inventory.forms import (
    MoveForm,
    ProductForm,
    ReceiveForm,
    TransferForm,
    apply_errors,
)
from vetrisys.inventory.models import Product

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 25


def _location(request: HttpRequest) -> Location:
    """The location the screen works at: the one chosen in the navigation bar."""
    location = getattr(request, "location", None)
    if location is None:
        raise NotFound(_("Location not found."))
    require(request.user, Capability.INVENTORY_VIEW, location)
    return location  # type: ignore[no-any-return]


def _scanned(request: HttpRequest) -> Product | None:
    """The product named by ?product=<id> or scanned into ?code=."""
    if request.GET.get("product"):
        return selectors.product_get(actor=request.user, product_id=request.GET["product"])
    code = request.GET.get("code", "").strip()[:64]
    if not code:
        return None
    product = selectors.product_by_code(actor=request.user, code=code)
    if product is None:
        matches = list(selectors.product_list(actor=request.user, q=code)[:2])
        product = matches[0] if len(matches) == 1 else None
    if product is None:
        messages.warning(request, _("No product has the code %(code)s.") % {"code": code})
    return product


# ---------------------------------------------------------------- stock on hand


@staff_view
def stock(request: HttpRequest) -> HttpResponse:
    """Stock on hand at the current location, with lots, expiry and low-stock badges."""
    location = _location(request)
    query = request.GET.get("q", "").strip()[:100]
    products = selectors.stock_products(actor=request.user, location=location, q=query)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    lots = selectors.product_lots_at(actor=request.user, location=location, products=rows)
    expiring = {row.lot.pk for row in selectors.expiring_lots_at(location=location, limit=500)}
    context = {
        "location": location,
        "page_obj": page,
        "rows": [(p, lots[p.pk]) for p in rows],
        "expiring": expiring,
        "query": query,
        "can_manage": has_capability(request.user, Capability.INVENTORY_MANAGE, location),
        "can_dispense": has_capability(request.user, Capability.PHARMACY_DISPENSE, location),
    }
    return render(request, "inventory/stock.html", context)


@staff_view
def movements(request: HttpRequest, product_id: UUID) -> HttpResponse:
    """The ledger of one product at the current location, newest first."""
    location = _location(request)
    product = selectors.product_get(actor=request.user, product_id=product_id)
    entries = selectors.movement_list(actor=request.user, location=location, product=product)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    balances = selectors.stock_on_hand(actor=request.user, location=location, product=product)
    return render(
        request,
        "inventory/movements.html",
        {"location": location, "product": product, "page_obj": page, "balances": balances},
    )


@staff_view
def alerts(request: HttpRequest) -> HttpResponse:
    """Low stock and expiring lots now, and the daily alerts raised for the stock keepers."""
    location = _location(request)
    raised = Paginator(selectors.alert_list(actor=request.user, location=location), 50)
    return render(
        request,
        "inventory/alerts.html",
        {
            "location": location,
            "low": selectors.low_stock(actor=request.user, location=location, limit=100),
            "expiring": selectors.expiring_lots(actor=request.user, location=location, limit=100),
            "page_obj": raised.get_page(request.GET.get("page")),
        },
    )


# ---------------------------------------------------------------- products


@staff_view
def product_list(request: HttpRequest) -> HttpResponse:
    """The catalog: products and services with price and tax."""
    query = request.GET.get("q", "").strip()[:100]
    products = selectors.product_list(actor=request.user, q=query)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inventory/products.html",
        {
            "page_obj": page,
            "query": query,
            "can_manage": has_capability(request.user, Capability.INVENTORY_MANAGE)
            or has_capability(request.user, Capability.PRICES_MANAGE),
        },
    )


@staff_view
def product_form(request: HttpRequest, product_id: UUID | None = None) -> HttpResponse:
    """Add a product, or edit one."""
    require(request.user, Capability.INVENTORY_MANAGE)  # the form itself is for stock keepers
    product = (
        selectors.product_get(actor=request.user, product_id=product_id) if product_id else None
    )
    initial = {}
    if product is not None:
        initial = {name: getattr(product, name) for name in services.catalog.PRODUCT_FIELDS}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                product = services.product_create(actor=request.user, **form.cleaned_data)
            else:
                services.product_update(actor=request.user, product=product, **form.cleaned_data)
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": product.name})
            return HttpResponseRedirect(reverse("inventory:products"))
    return render(request, "inventory/product_form.html", {"form": form, "product": product})


# ---------------------------------------------------------------- moving stock


@staff_view
def receive(request: HttpRequest) -> HttpResponse:
    """Receive a lot: scan or find the product, then lot, expiry, quantity and cost."""
    location = _location(request)
    require(request.user, Capability.INVENTORY_MANAGE, location)
    product = _scanned(request)
    suppliers = list(selectors.supplier_list(actor=request.user)[:200])
    form = ReceiveForm(
        request.POST or None,
        suppliers=suppliers,
        initial={"product": product.pk if product else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = selectors.product_get(actor=request.user, product_id=data["product"])
        supplier = (
            selectors.supplier_get(actor=request.user, supplier_id=data["supplier"])
            if data["supplier"]
            else None
        )
        try:
            services.stock_receive(
                actor=request.user, location=location, product=product,
                quantity=data["quantity"], unit_cost=data["unit_cost"], lot=data["lot"],
                expires_on=data["expires_on"], supplier=supplier,
            )  # fmt: skip
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Received %(quantity)s of %(name)s.")
                % {"quantity": data["quantity"].normalize(), "name": product.name},
            )
            return HttpResponseRedirect(f"{reverse('inventory:stock')}?q={product.name}")
    return render(
        request,
        "inventory/receive.html",
        {"form": form, "product": product, "location": location},
    )


@staff_view
def move(request: HttpRequest) -> HttpResponse:
    """Dispense (a sale or use without a prescription), adjust or write off a product."""
    location = _location(request)
    product = _scanned(request)
    form = MoveForm(request.POST or None, initial={"product": product.pk if product else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = selectors.product_get(actor=request.user, product_id=data["product"])
        common: dict[str, Any] = {
            "actor": request.user,
            "location": location,
            "product": product,
        }
        try:
            if data["action"] == "dispense":
                services.stock_dispense(
                    **common, quantity=data["quantity"], lot=data["lot"] or None,
                    reference=data["reference"], reason=data["reason"],
                )  # fmt: skip
            elif data["action"] == "adjust":
                services.stock_adjust(
                    **common, quantity_delta=data["quantity"], lot=data["lot"],
                    reason=data["reason"],
                )  # fmt: skip
            else:
                services.stock_waste(
                    **common, quantity=data["quantity"], lot=data["lot"], reason=data["reason"]
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        except NotFound as error:
            form.add_error("lot", error.message)
        else:
            messages.success(request, _("Stock of %(name)s updated.") % {"name": product.name})
            return HttpResponseRedirect(f"{reverse('inventory:move')}?product={product.pk}")
    balances = (
        selectors.stock_on_hand(actor=request.user, location=location, product=product)
        if product
        else []
    )
    return render(
        request,
        "inventory/move.html",
        {"form": form, "product": product, "location": location, "balances": balances},
    )


@staff_view
def transfer(request: HttpRequest) -> HttpResponse:
    """Send stock of a product to another location of the organization."""
    location = _location(request)
    require(request.user, Capability.INVENTORY_MANAGE, location)
    product = _scanned(request)
    destinations = [
        loc for loc in selectors.organization_locations(actor=request.user) if loc.pk != location.pk
    ]
    form = TransferForm(
        request.POST or None,
        destinations=destinations,
        initial={"product": product.pk if product else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = selectors.product_get(actor=request.user, product_id=data["product"])
        to = selectors.location_in_organization(
            actor=request.user, location_id=data["to_location"], field="to_location"
        )
        try:
            services.stock_transfer(
                actor=request.user, from_location=location, to_location=to, product=product,
                quantity=data["quantity"], lot=data["lot"], reason=data["reason"],
            )  # fmt: skip
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        except NotFound as error:
            form.add_error("lot", error.message)
        else:
            messages.success(request, _("Transfer of %(name)s sent.") % {"name": product.name})
            return HttpResponseRedirect(reverse("inventory:stock"))
    return render(
        request,
        "inventory/transfer.html",
        {"form": form, "product": product, "location": location},
    )


# ---------------------------------------------------------------- counts


@staff_view
def counts(request: HttpRequest) -> HttpResponse:
    """Stocktakes of the current location; start a new one."""
    location = _location(request)
    if request.method == "POST":
        try:
            count = services.stock_count_start(actor=request.user, location=location)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            return HttpResponseRedirect(reverse("inventory:count", args=[count.pk]))
    page = Paginator(selectors.count_list(actor=request.user, location=location), 25)
    return render(
        request,
        "inventory/counts.html",
        {"location": location, "page_obj": page.get_page(request.GET.get("page"))},
    )


@staff_view
def count_detail(request: HttpRequest, count_id: UUID) -> HttpResponse:
    """Enter counted quantities, see the variances, close the count."""
    count = selectors.count_get(actor=request.user, count_id=count_id)
    if request.method == "POST":
        try:
            if "close" in request.POST:
                services.stock_count_close(actor=request.user, count=count)
                messages.success(request, _("Count closed; the stock was corrected."))
            else:
                for line in selectors.count_lines(count=count):
                    value = request.POST.get(f"line-{line.pk}", "").strip()
                    if value:
                        services.stock_count_enter(
                            actor=request.user, count=count, product=line.product,
                            lot=line.lot, counted_quantity=value,
                        )  # fmt: skip
                messages.success(request, _("Counted quantities saved."))
        except (ValidationFailed, Conflict) as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(reverse("inventory:count", args=[count.pk]))
    return render(
        request,
        "inventory/count_detail.html",
        {"count": count, "lines": selectors.count_lines(count=count)},
    )


# ---------------------------------------------------------------- purchase orders


@staff_view
def orders(request: HttpRequest) -> HttpResponse:
    """Purchase orders of the current location; draft orders from the reorder levels."""
    location = _location(request)
    if request.method == "POST":
        try:
            created = services.purchase_orders_from_suggestions(
                actor=request.user, location=location
            )
        except (ValidationFailed, Conflict) as error:
            messages.error(request, error.message)
        else:
            if created:
                messages.success(request, _("%(n)s draft order(s) created.") % {"n": len(created)})
            else:
                messages.info(request, _("Nothing is under its reorder level."))
        return HttpResponseRedirect(reverse("inventory:orders"))
    page = Paginator(selectors.order_list(actor=request.user, location=location), 25)
    return render(
        request,
        "inventory/orders.html",
        {
            "location": location,
            "page_obj": page.get_page(request.GET.get("page")),
            "suggestions": selectors.reorder_suggestions(actor=request.user, location=location),
        },
    )


@staff_view
def order_detail(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """One order: send, cancel, or receive its lines."""
    order = selectors.order_get(actor=request.user, order_id=order_id)
    if request.method == "POST":
        try:
            if "send" in request.POST:
                services.purchase_order_send(actor=request.user, order=order)
            elif "cancel" in request.POST:
                services.purchase_order_cancel(actor=request.user, order=order)
            elif "line" in request.POST:
                line = selectors.order_line_get(actor=request.user, line_id=request.POST["line"])
                services.stock_receive(
                    actor=request.user, location=order.location, product=line.product,
                    quantity=request.POST.get("quantity", ""),
                    unit_cost=request.POST.get("unit_cost") or line.unit_cost,
                    lot=request.POST.get("lot", ""),
                    expires_on=_date(request.POST.get("expires_on", "")),
                    purchase_order_line=line,
                )  # fmt: skip
        except (ValidationFailed, Conflict) as error:
            detail = "; ".join(m for ms in getattr(error, "fields", {}).values() for m in ms)
            messages.error(request, f"{error.message} {detail}".strip())
        return HttpResponseRedirect(reverse("inventory:order", args=[order.pk]))
    return render(request, "inventory/order_detail.html", {"order": order})


@staff_view
def order_print(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """The order as the supplier receives it (print, or save as PDF from the browser)."""
    order = selectors.order_get(actor=request.user, order_id=order_id)
    return render(request, "inventory/order_print.html", {"order": order})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed.for_field("expires_on", _("Enter a valid date.")) from None
