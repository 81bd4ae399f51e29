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
    path("healthz", views.healthz, name="healthz"),
    path("account/totp/", views.totp_status, name="totp"),
    path("account/totp/enrol/", views.totp_enrol, name="totp_enrol"),
    path("account/totp/verify/", views.totp_verify, name="totp_verify"),
    path("security/totp/", views.totp_admin, name="totp_admin"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
