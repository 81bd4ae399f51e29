from django.urls import path

from wenxiao.catalog import views

app_name = "catalog"
urlpatterns = [path("", views.functions, name="functions")]
