from django.urls import path

from wenxiao.disclosure import views

app_name = "disclosure"
urlpatterns = [
    # Public (no login): only published items; anything else under /public/ is 404.
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/report.pdf", views.item_pdf, name="item_pdf"),
    path("data/<str:kind>.<str:fmt>", views.data, name="data"),
    # Staff (login): the 绩效科 publishes and withdraws.
    path("manage/", views.manage, name="manage"),
    path("manage/publish/", views.publish, name="publish"),
    path("manage/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
