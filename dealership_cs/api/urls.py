"""API routes: one router; each app adds its viewsets here as it grows."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from callbacks.api.views import CallbackTaskViewSet, ComplaintViewSet, QuestionnaireViewSet, ReminderRuleViewSet
from care_events.api.invitations import ActivityInviteView, InvitationViewSet
from care_events.api.plans import CareActivityViewSet, CarePlanViewSet
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
from dealership_cs.permissions import RoleModelPermissions
from reports.api import AccuracyReopenView, AccuracyView
from surveys.api.views import ItemScoreViewSet, OfficialScoreViewSet, ProgramViewSet, ScoreItemViewSet, TargetViewSet

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
router.register("score-programs", ProgramViewSet, basename="scoreprogram")
router.register("score-items", ScoreItemViewSet, basename="scoreitem")
router.register("scores", OfficialScoreViewSet, basename="score")
router.register("item-scores", ItemScoreViewSet, basename="itemscore")
router.register("score-targets", TargetViewSet, basename="scoretarget")
router.register("callback-tasks", CallbackTaskViewSet, basename="callbacktask")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
router.register("reminder-rules", ReminderRuleViewSet, basename="reminderrule")
router.register("care-plans", CarePlanViewSet, basename="careplan")
router.register("care-activities", CareActivityViewSet, basename="careactivity")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = [
    # Before the router, whose care-activities detail routes would otherwise be tried first.
    path("care-activities/<int:pk>/invite/", ActivityInviteView.as_view(), name="api-care-activity-invite"),
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="api-me"),
    path("accuracy/", AccuracyView.as_view(), name="api-accuracy"),
    path("accuracy/reopen/", AccuracyReopenView.as_view(), name="api-accuracy-reopen"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    # The schema and its docs describe the whole API: for people with a role, like the API itself.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[RoleModelPermissions]), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[RoleModelPermissions]),
        name="api-docs",
    ),
]
