from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("pieslegties/", views.login_page, name="login"),
    path("pieslegties/demo/", views.demo_login, name="demo_login"),
    path("iziet/", views.logout_view, name="logout"),
    path("mans-konts/parstaviba/", views.switch, name="switch"),
]
