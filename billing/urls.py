from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("apmaksat/", views.pay, name="pay"),
    path("maksajums/atbilde/", views.payment_callback, name="payment_callback"),
    path("maksajums/<uuid:reference>/", views.payment_result, name="payment_result"),
    path("maksajums/<uuid:reference>/demo-banka/", views.demo_bank, name="demo_bank"),
    path("<str:number>/", views.invoice_detail, name="invoice_detail"),
    path("<str:number>/drukai/", views.invoice_print, name="invoice_print"),
]
