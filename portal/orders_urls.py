"""The URLs of the `orders` namespace: the list is the orders app's, the order page is the portal's
(it composes invoices, payment state, documents and the upload form), so the namespace lives here."""

from django.urls import path

from orders import views as orders_views
from portal import views

app_name = "orders"

urlpatterns = [
    path("", orders_views.order_list, name="list"),
    path("<str:number>/", views.order_detail, name="detail"),
]
