from django.urls import path

from wenxiao.library import views

app_name = "library"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("new/", views.indicator_new, name="new"),
    path("pick/", views.pick, name="pick"),
    path("<int:pk>/", views.indicator_detail, name="detail"),
    path("<int:pk>/action/", views.indicator_action, name="action"),
    path("<int:pk>/revise/", views.indicator_revise, name="revise"),
]
