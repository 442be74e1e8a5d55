from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("accuracy/", views.AccuracyView.as_view(), name="accuracy"),
    path("accuracy/export.xlsx", views.AccuracyExportView.as_view(), name="accuracy_export"),
    path("accuracy/<str:month>/reopen/", views.AccuracyReopenView.as_view(), name="accuracy_reopen"),
    path("accuracy/<str:month>/reconcile/", views.AccuracyReconcileView.as_view(), name="accuracy_reconcile"),
]
