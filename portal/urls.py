from django.urls import path

from portal import views

urlpatterns = [
    path("mans-konts/", views.overview, name="overview"),
]
