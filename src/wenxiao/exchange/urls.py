from django.urls import path

from wenxiao.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch, name="batch"),
]
