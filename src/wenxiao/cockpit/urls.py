from django.urls import path

from wenxiao.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.home, name="home"),
    path("screen/", views.screen, name="screen"),
    path("drill/<str:kind>/", views.drill, name="drill"),
    path("refresh/", views.refresh, name="refresh"),
    path("report.pdf", views.report_pdf, name="pdf"),
]
