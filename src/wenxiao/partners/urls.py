from django.urls import path

from wenxiao.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/new/", views.agency_new, name="agency_new"),
    path("agencies/<int:pk>/", views.agency, name="agency"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/status/", views.agency_status, name="agency_status"),
    path("agencies/<int:pk>/violation/", views.agency_violation, name="agency_violation"),
    path("engagements/<int:pk>/", views.engagement, name="engagement"),
    path("engagements/<int:pk>/accept/", views.engagement_accept, name="engagement_accept"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/eliminate/", views.ranking_eliminate, name="ranking_eliminate"),
    path("templates/", views.template_reports, name="templates"),
    path("templates/scan/", views.template_scan, name="template_scan"),
    path("templates/<int:pk>/status/", views.template_flag, name="template_flag"),
    path("experts/", views.experts, name="experts"),
    path("experts/new/", views.expert_new, name="expert_new"),
    path("experts/<int:pk>/", views.expert, name="expert"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/note/", views.expert_note, name="expert_note"),
    path("experts/<int:pk>/engagement/", views.expert_engagement, name="expert_engagement"),
    path("draw/", views.draw, name="draw"),
    path("draws/", views.draws, name="draws"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("supervision/", views.supervisors, name="supervisors"),
    path("supervision/new/", views.supervisor_new, name="supervisor_new"),
    path("supervision/invite/", views.invite, name="invite"),
]
