from django.urls import path

from api import views

app_name = "api_access"

urlpatterns = [
    path("", views.tokens_page, name="tokens"),
    path("<int:pk>/atsaukt/", views.token_revoke, name="revoke"),
]
