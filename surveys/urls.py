from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("import/", views.ScoreImportView.as_view(), name="import"),
    path("import/template.xlsx", views.ScoreTemplateView.as_view(), name="import_template"),
    path("import/rejected/<str:token>.xlsx", views.ScoreImportErrorsView.as_view(), name="import_errors"),
    path("<str:code>/", views.ProgramLatestView.as_view(), name="program"),
    path("<str:code>/<int:year>/", views.ProgramYearView.as_view(), name="program_year"),
    path("<str:code>/<int:year>/enter/", views.ScoreEntryView.as_view(), name="entry"),
    path("<str:code>/<int:year>/target/", views.TargetEditView.as_view(), name="target"),
]
