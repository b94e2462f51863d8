from django.urls import path

from vetrisys.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("alerts/", views.alerts, name="alerts"),
    path("receive/", views.receive, name="receive"),
    path("move/", views.move, name="move"),
    path("transfer/", views.transfer, name="transfer"),
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_form, name="product_create"),
    path("products/<uuid:product_id>/edit/", views.product_form, name="product_edit"),
    path("products/<uuid:product_id>/movements/", views.movements, name="movements"),
    path("counts/", views.counts, name="counts"),
    path("counts/<uuid:count_id>/", views.count_detail, name="count"),
    path("orders/", views.orders, name="orders"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order"),
    path("orders/<uuid:order_id>/print/", views.order_print, name="order_print"),
]
