from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from manskonts import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("pieklustamibas-pazinojums/", views.accessibility, name="accessibility"),
    path("", include("portal.urls")),
    path("i18n/valoda/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("mans-konts/e-pakalpojumi/", include("eservices.urls")),
    path("mans-konts/pasutijumi/", include("portal.orders_urls")),
    path("mans-konts/rekini/", include("billing.urls")),
    path("mans-konts/pazinojumi/", include("notifications.urls")),
    path("mans-konts/datnes/", include("documents.urls")),
    path("mans-konts/pieprasijumi/", include("requisitions.urls")),
    path("mans-konts/sarunas/", include("conversations.urls")),
    path("mans-konts/api-piekluve/", include("api.page_urls")),
    path("api/", include("api.urls")),
]
