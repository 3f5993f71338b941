from django.urls import path

from eservices import views

app_name = "eservices"

urlpatterns = [
    path("", views.eservice_list, name="list"),
    path("<int:pk>/", views.eservice_detail, name="detail"),
]
