from django.urls import path

from eservices import views

app_name = "eservices"

urlpatterns = [
    path("", views.eservice_list, name="list"),
    path("atskaite/", views.report, name="report"),
    path("atskaite/excel/", views.report_export, name="report_export"),
    path("atskaite/eksports/<uuid:pk>/", views.export_status, name="export"),
    path("atskaite/eksports/<uuid:pk>/datne/", views.export_download, name="export_download"),
    path("<int:pk>/", views.eservice_detail, name="detail"),
    path("<int:pk>/identifikators/", views.label_update, name="label"),
]
