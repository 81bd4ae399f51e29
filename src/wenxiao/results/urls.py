from django.urls import path

from wenxiao.results import views

app_name = "results"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/action/", views.item_action, name="item_action"),
    path("items/<int:pk>/link/", views.item_link, name="item_link"),
    path("letters/", views.letter_list, name="letters"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/letter.docx", views.letter_docx, name="letter_docx"),
    path("letters/<int:pk>/issue/", views.letter_issue, name="letter_issue"),
    path("budget/", views.sheet_list, name="sheets"),
    path("budget/<int:pk>/", views.sheet_detail, name="sheet"),
    path("budget/<int:pk>/sheet.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
    path("budget/<int:pk>/lines/<int:line>/", views.sheet_actual, name="sheet_actual"),
    path("reports/", views.reports, name="reports"),
    path("reports/<str:kind>.docx", views.report_docx, name="report_docx"),
    path("negative/", views.negative, name="negative"),
    path("negative/<int:pk>/exit/", views.negative_exit, name="negative_exit"),
]
