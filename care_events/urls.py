from django.urls import path

from care_events.views import invitations, plans

app_name = "care_events"

urlpatterns = [
    path("", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:year>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:year>/timeline/", plans.PlanTimelineView.as_view(), name="plan_timeline"),
    path("plans/<int:year>/edit/", plans.PlanFormView.as_view(), name="plan_update"),
    path("plans/<int:year>/revise/", plans.PlanReviseView.as_view(), name="plan_revise"),
    path("plans/<int:year>/export.xlsx", plans.PlanExportView.as_view(), name="plan_export"),
    path("plans/<int:year>/activities/new/", plans.ActivityFormView.as_view(), name="activity_create"),
    path("plans/<int:year>/<str:action>/", plans.PlanActionView.as_view(), name="plan_action"),
    path("activities/<int:pk>/", plans.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", plans.ActivityFormView.as_view(), name="activity_update"),
    # Invitations (care_events/views/invitations.py): before the activity's catch-all parts below.
    path("activities/<int:pk>/invitations/", invitations.InvitationListView.as_view(), name="activity_invitations"),
    path("activities/<int:pk>/invite/", invitations.InviteView.as_view(), name="invitation_invite"),
    path("activities/<int:pk>/checkin/", invitations.CheckInView.as_view(), name="invitation_checkin"),
    path("activities/<int:pk>/attendees.xlsx", invitations.AttendeeExportView.as_view(), name="invitation_export"),
    path("invitations/<int:pk>/feedback/", invitations.FeedbackView.as_view(), name="invitation_feedback"),
    # An activity's parts: status, node, staff, cost, kpi (add) and node-done, cost-delete, kpi-actual... (one item).
    path("activities/<int:pk>/<str:part>/", plans.ActivityPartView.as_view(), name="activity_part"),
    path("activities/<int:pk>/<str:part>/<int:item>/", plans.ActivityPartView.as_view(), name="activity_item"),
]
