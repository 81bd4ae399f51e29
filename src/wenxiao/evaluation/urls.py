from django.urls import path

from wenxiao.evaluation import key_views, selfeval_views

app_name = "evaluation"
urlpatterns = [
    path("", selfeval_views.home, name="home"),
    path("tasks/", selfeval_views.task_list, name="tasks"),
    path("tasks/<int:pk>/", selfeval_views.task_detail, name="task"),
    path("tasks/<int:pk>/sample/", selfeval_views.task_sample, name="task_sample"),
    path("tasks/<int:pk>/export.xlsx", selfeval_views.task_export, name="task_export"),
    path("upload/", selfeval_views.upload, name="upload"),
    path("forms/<int:pk>/", selfeval_views.form_detail, name="form"),
    path("forms/<int:pk>/preview/", selfeval_views.form_preview, name="form_preview"),
    path("forms/<int:pk>/save/", selfeval_views.form_save, name="form_save"),
    path("forms/<int:pk>/action/", selfeval_views.form_action, name="form_action"),
    path("forms/<int:pk>/review/", selfeval_views.form_review, name="form_review"),
    path("forms/<int:pk>/export.xlsx", selfeval_views.form_export, name="form_export"),
    path("forms/<int:pk>/attach/", selfeval_views.form_attach, name="form_attach"),
    path("forms/<int:pk>/attachments/<int:attachment_id>/", selfeval_views.attachment_download, name="attachment"),
    path("distribution/", selfeval_views.distribution, name="distribution"),
    path("candidates/", key_views.candidates, name="candidates"),
    path("evaluations/", key_views.evaluation_list, name="evaluations"),
    path("evaluations/<int:pk>/", key_views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/plan/", key_views.evaluation_plan, name="evaluation_plan"),
    path("evaluations/<int:pk>/team/", key_views.evaluation_team, name="evaluation_team"),
    path("evaluations/<int:pk>/scores/", key_views.evaluation_scores, name="evaluation_scores"),
    path("evaluations/<int:pk>/report/", key_views.evaluation_report, name="evaluation_report"),
    path("evaluations/<int:pk>/action/", key_views.evaluation_action, name="evaluation_action"),
    path("evaluations/<int:pk>/review/", key_views.evaluation_review, name="evaluation_review"),
    path("evaluations/<int:pk>/report.<str:fmt>", key_views.evaluation_download, name="evaluation_download"),
]
