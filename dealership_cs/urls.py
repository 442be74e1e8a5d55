"""Root URLs."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from dealership_cs import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The language switch is on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("system/", views.SystemStatusView.as_view(), name="system_status"),
    path("system/tasks/<str:task_id>/", views.SystemTaskView.as_view(), name="system_task"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/new/", views.StaffEditView.as_view(), name="staff_create"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffEditView.as_view(), name="staff_update"),
    path("staff/<int:pk>/deactivate/", views.StaffActiveView.as_view(active=False), name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", views.StaffActiveView.as_view(active=True), name="staff_reactivate"),
    path("staff/<int:pk>/delete/", views.StaffDeleteView.as_view(), name="staff_delete"),
    path("customers/", include("customers.urls")),
    path("callbacks/", include("callbacks.urls")),
    path("care/", include("care_events.urls")),
    path("reports/", include("reports.urls")),
    path("scores/", include("surveys.urls")),
    path("api/", include("dealership_cs.api.urls")),
    path("admin/", admin.site.urls),
]

# Translated pages in the site's layout (JSON under /api/); the 500 page never fails itself.
handler403 = "dealership_cs.views.permission_denied"
handler404 = "dealership_cs.views.page_not_found"
handler500 = "dealership_cs.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
