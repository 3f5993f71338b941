from django.urls import path

from api.problems import not_found
from api.v1 import api

urlpatterns = [
    path("v1/", api.urls),
    # Anything else under /api/: a problem, not the pages' HTML 404.
    path("<path:rest>", lambda request, rest: not_found(request)),
]
