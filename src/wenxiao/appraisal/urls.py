from django.urls import path

from wenxiao.appraisal import views

app_name = "appraisal"
urlpatterns = [
    path("", views.appraisal_list, name="list"),
    path("<int:pk>/", views.appraisal_detail, name="detail"),
    path("<int:pk>/save/", views.appraisal_save, name="save"),
    path("<int:pk>/action/", views.appraisal_action, name="action"),
    path("<int:pk>/assign/", views.appraisal_assign, name="assign"),
    path("<int:pk>/conclude/", views.appraisal_conclude, name="conclude"),
    path("<int:pk>/adjustment/", views.appraisal_adjustment, name="adjustment"),
    path("<int:pk>/attach/", views.appraisal_attach, name="attach"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/report.<str:fmt>", views.appraisal_report, name="report"),
]
