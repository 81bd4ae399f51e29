from django.urls import path

from wenxiao.oversight import reform_views, views, work_report_views

app_name = "oversight"
urlpatterns = [
    path("", views.home, name="home"),
    path("work-report/", work_report_views.work_report, name="work_report"),
    path("reform/", reform_views.reform_list, name="reforms"),
    path("reform/<int:pk>/", reform_views.reform_detail, name="reform"),
    path("reform/<int:pk>/fill/", reform_views.reform_fill, name="reform_fill"),
    path("reform/<int:pk>/action/", reform_views.reform_action, name="reform_action"),
    path("schemes/<int:pk>/", views.scheme, name="scheme"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/run/", views.round_run, name="round_run"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:pk>/template.xlsx", views.round_template, name="round_template"),
    path("rounds/<int:pk>/import/", views.round_import, name="round_import"),
    path("rounds/<int:pk>/manual/", views.round_manual, name="round_manual"),
    path("rounds/<int:pk>/report.<str:fmt>", views.round_report, name="round_report"),
    path("subjects/<int:pk>/", views.subject, name="subject"),
    path("subjects/<int:pk>/interview/", views.interview_add, name="interview_add"),
    path("subjects/<int:pk>/referral/", views.referral_add, name="referral_add"),
    path("interviews/<int:pk>/", views.interview_update, name="interview_update"),
    path("referrals/<int:pk>/", views.referral_update, name="referral_update"),
    path("scores/<int:pk>/files/<int:attachment_id>/", views.evidence, name="evidence"),
]
