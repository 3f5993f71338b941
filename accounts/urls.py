from django.urls import path

from accounts import oidc, views

app_name = "accounts"

urlpatterns = [
    path("pieslegties/", views.login_page, name="login"),
    path("pieslegties/demo/", views.demo_login, name="demo_login"),
    path("pieslegties/oidc/", oidc.SignInView.as_view(), name="oidc_sign_in"),
    path("pieslegties/oidc/atbilde/", oidc.CallbackView.as_view(), name="oidc_callback"),
    path("iziet/", views.logout_view, name="logout"),
    path("mans-konts/parstaviba/", views.switch, name="switch"),
    path("mans-konts/lietotaji/", views.users, name="users"),
    path("mans-konts/lietotaji/pievienot/", views.user_add, name="user_add"),
    path("mans-konts/lietotaji/<int:pk>/loma/", views.user_role, name="user_role"),
    path("mans-konts/lietotaji/<int:pk>/nonemt/", views.user_remove, name="user_remove"),
    path("pieteikums/", views.application_list, name="application_list"),
    path("pieteikums/juridiska-persona/", views.application_create, name="application_create"),
    path("pieteikums/<int:pk>/", views.application_detail, name="application_detail"),
]
