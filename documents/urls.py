from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/saturs/<int:index>/", views.download_container_file, name="container_file"),
    path("pasutijums/<str:number>/rezultati.zip", views.download_results_zip, name="results_zip"),
    path("pasutijums/<str:number>/iesniegt/", views.upload_order, name="upload_order"),
    path("e-pakalpojums/<int:pk>/iesniegt/", views.upload_eservice, name="upload_eservice"),
]
