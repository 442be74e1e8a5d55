"""The project's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from dealership_cs.urls import handler403, handler404, handler500, urlpatterns


def boom(request):
    raise RuntimeError("a bug in a view")


def forbidden_with_a_reason(request):
    raise PermissionDenied("A published questionnaire version cannot be changed.")


def api_boom(request):
    raise RuntimeError("a bug in an API view")


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden_with_a_reason),
    path("api/boom/", api_boom),
    *urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
