from django.urls import path

from wenxiao.core import views

app_name = "core"
urlpatterns = [
    path("todos/", views.todos, name="todos"),
    path("audit/", views.audit_log, name="audit"),
    path("settings/", views.settings_page, name="settings"),
    path("account/logins/", views.my_logins, name="my_logins"),
    path("audit/logins/", views.all_logins, name="all_logins"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<int:pk>/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
