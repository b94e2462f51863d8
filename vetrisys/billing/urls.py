from django.urls import path

from vetrisys.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("checkout/", views.checkout_start, name="checkout_start"),
    path("checkout/line/", views.checkout_line, name="checkout_line"),
    path("checkout/<uuid:client_id>/", views.checkout, name="checkout"),
    path("checkout/<uuid:client_id>/totals/", views.checkout_totals, name="checkout_totals"),
    path("invoices/<uuid:invoice_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<uuid:invoice_id>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<uuid:invoice_id>/pay/", views.invoice_pay, name="invoice_pay"),
    path("invoices/<uuid:invoice_id>/void/", views.invoice_void, name="invoice_void"),
    path(
        "invoices/<uuid:invoice_id>/credit-note/",
        views.invoice_credit_note,
        name="invoice_credit_note",
    ),
    path("invoices/<uuid:invoice_id>/plan/", views.invoice_plan, name="invoice_plan"),
    path("invoices/<uuid:invoice_id>/receipt/", views.receipt_print, name="receipt_print"),
    path("invoices/<uuid:invoice_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("invoices/<uuid:invoice_id>/email/", views.receipt_email, name="receipt_email"),
    path("estimates/", views.estimate_list, name="estimates"),
    path("estimates/new/<uuid:client_id>/", views.estimate_create, name="estimate_create"),
    path("estimates/<uuid:estimate_id>/", views.estimate_detail, name="estimate"),
    path("estimates/<uuid:estimate_id>/accept/", views.estimate_accept, name="estimate_accept"),
    path("estimates/<uuid:estimate_id>/convert/", views.estimate_convert, name="estimate_convert"),
    path("estimates/<uuid:estimate_id>/estimate.pdf", views.estimate_pdf, name="estimate_pdf"),
    path("plans/", views.plan_list, name="plans"),
    path("receivables/", views.receivables, name="receivables"),
    path("receivables/<uuid:client_id>/", views.statement, name="statement"),
    path("receivables/<uuid:client_id>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("day-close/", views.day_close, name="day_close"),
    path("prices/", views.price_list, name="prices"),
    path("prices/<uuid:product_id>/", views.price_edit, name="price_edit"),
]
