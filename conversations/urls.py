from django.urls import path

from conversations import views

app_name = "conversations"

urlpatterns = [
    path("jautajums/", views.ask, name="ask"),
    path("pasutijums/<str:number>/", views.order_thread, name="order"),
    path("e-pakalpojums/<int:pk>/", views.eservice_thread, name="eservice"),
    path("pielikums/<int:pk>/", views.attachment, name="attachment"),
]
