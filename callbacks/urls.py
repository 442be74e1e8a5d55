from django.urls import path

from callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("", views.DeskView.as_view(), name="desk"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskCallView.as_view(), name="task_call"),
    path("tasks/<int:pk>/take/", views.TaskTakeView.as_view(), name="task_take"),
    path("tasks/<int:pk>/release/", views.TaskReleaseView.as_view(), name="task_release"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("supervision/", views.SupervisionView.as_view(), name="supervision"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("complaints/new/<int:customer_pk>/", views.ComplaintCreateView.as_view(), name="complaint_create"),
]
