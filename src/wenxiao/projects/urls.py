from django.urls import path

from wenxiao.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("export/", views.project_export, name="export"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/action/", views.project_action, name="action"),
    path("<int:pk>/adjust/", views.project_adjust, name="adjust"),
    path("<int:pk>/responsible/", views.project_responsible, name="responsible"),
]
