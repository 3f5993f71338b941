from django.urls import path

from requisitions import views

app_name = "requisitions"

urlpatterns = [
    path("<int:pk>/", views.answer, name="answer"),
]
