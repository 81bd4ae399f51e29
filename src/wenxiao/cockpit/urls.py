from django.urls import path

from wenxiao.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.home, name="home"),
]
