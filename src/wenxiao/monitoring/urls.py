from django.urls import path

from wenxiao.monitoring import ledger_views, round_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("run/", views.run, name="run"),
    path("warnings/", views.warning_list, name="warnings"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/action/", views.project_action, name="project_action"),
    path("rounds/", round_views.round_list, name="rounds"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round"),
    path("rounds/<int:pk>/close/", round_views.round_close, name="round_close"),
    path("rounds/<int:pk>/report.<str:fmt>", round_views.round_report, name="round_report"),
    path("forms/<int:pk>/", round_views.form_detail, name="form"),
    path("forms/<int:pk>/save/", round_views.form_save, name="form_save"),
    path("forms/<int:pk>/action/", round_views.form_action, name="form_action"),
    path("payments/", ledger_views.payments, name="payments"),
    path("negative/", ledger_views.negative_list, name="negative"),
    path("negative/<int:pk>/remove/", ledger_views.negative_remove, name="negative_remove"),
]
