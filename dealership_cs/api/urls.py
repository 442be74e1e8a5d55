"""API routes: one router; each app adds its viewsets here as it grows."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from customers.api.discrepancies import DiscrepancyViewSet
from customers.api.omd import OmdImportViewSet, OmdInvoiceViewSet
from customers.api.views import (
    CustomerViewSet,
    PhoneCorrectionViewSet,
    SalesArchiveViewSet,
    ServiceVisitViewSet,
    VehicleViewSet,
)
from dealership_cs.api.views import MeView, StaffViewSet
from reports.api import AccuracyReopenView, AccuracyView

router = DefaultRouter()
router.register("staff", StaffViewSet, basename="staff")
router.register("customers", CustomerViewSet, basename="customer")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("archives", SalesArchiveViewSet, basename="salesarchive")
router.register("visits", ServiceVisitViewSet, basename="servicevisit")
router.register("phone-corrections", PhoneCorrectionViewSet, basename="phonecorrection")
router.register("omd-imports", OmdImportViewSet, basename="omdimport")
router.register("omd-invoices", OmdInvoiceViewSet, basename="omdinvoice")
router.register("discrepancies", DiscrepancyViewSet, basename="discrepancy")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="api-me"),
    path("accuracy/", AccuracyView.as_view(), name="api-accuracy"),
    path("accuracy/reopen/", AccuracyReopenView.as_view(), name="api-accuracy-reopen"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
