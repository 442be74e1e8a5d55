from django.urls import path

from customers.views import discrepancies, omd, visits
from customers.views import records as views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("export.xlsx", views.CustomerExportView.as_view(), name="customer_export"),
    path("new/", views.CustomerEditView.as_view(), name="customer_create"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_update"),
    path("<int:pk>/merge/", views.CustomerMergeView.as_view(), name="customer_merge"),
    path("<int:pk>/phone-correction/", views.PhoneCorrectionProposeView.as_view(), name="phonecorrection_propose"),
    path("vehicles/", views.VehicleListView.as_view(), name="vehicle_list"),
    path("vehicles/new/", views.VehicleEditView.as_view(), name="vehicle_create"),
    path("vehicles/<int:pk>/", views.VehicleDetailView.as_view(), name="vehicle_detail"),
    path("vehicles/<int:pk>/edit/", views.VehicleEditView.as_view(), name="vehicle_update"),
    path("archives/", views.ArchiveListView.as_view(), name="archive_list"),
    path("archives/new/", views.ArchiveEditView.as_view(), name="archive_create"),
    path("archives/<int:pk>/", views.ArchiveDetailView.as_view(), name="archive_detail"),
    path("archives/<int:pk>/edit/", views.ArchiveEditView.as_view(), name="archive_update"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.VisitEditView.as_view(), name="visit_create"),
    path("visits/import/", visits.VisitImportView.as_view(), name="visit_import"),
    path("visits/import/rejected/<str:token>.xlsx", visits.VisitImportErrorsView.as_view(), name="visit_import_errors"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", views.VisitEditView.as_view(), name="visit_update"),
    path("data-quality/", views.DataQualityView.as_view(), name="data_quality"),
    path("phone-corrections/", views.PhoneCorrectionListView.as_view(), name="phonecorrection_list"),
    path(
        "phone-corrections/<int:pk>/<str:decision>/",
        views.PhoneCorrectionDecideView.as_view(),
        name="phonecorrection_decide",
    ),
    path("import/", views.LedgerImportView.as_view(), name="ledger_import"),
    path("import/rejected/<str:token>.xlsx", views.LedgerImportErrorsView.as_view(), name="ledger_import_errors"),
    path("omd/", omd.OmdImportListView.as_view(), name="omdimport_list"),
    path("omd/<int:pk>/", omd.OmdImportDetailView.as_view(), name="omdimport_detail"),
    path("omd/<int:pk>/progress/", omd.OmdImportProgressView.as_view(), name="omdimport_progress"),
    path("omd/<int:pk>/errors.xlsx", omd.OmdImportErrorsView.as_view(), name="omdimport_errors"),
    path("omd/<int:pk>/<str:action>/", omd.OmdImportActionView.as_view(), name="omdimport_action"),
    path("omd/invoices/", omd.OmdInvoiceListView.as_view(), name="omdinvoice_list"),
    path("discrepancies/", discrepancies.DiscrepancyListView.as_view(), name="discrepancy_list"),
    path("discrepancies/export.xlsx", discrepancies.DiscrepancyExportView.as_view(), name="discrepancy_export"),
    path("discrepancies/<int:pk>/", discrepancies.DiscrepancyDetailView.as_view(), name="discrepancy_detail"),
    path(
        "discrepancies/<int:pk>/<str:action>/", discrepancies.DiscrepancyActionView.as_view(), name="discrepancy_action"
    ),
]
