from django.urls import path

from wenxiao.targets import excel_views, views

app_name = "targets"
urlpatterns = [
    path("", views.target_list, name="list"),
    path("new/", views.target_create, name="create"),
    path("approve/", views.approve, name="approve"),
    path("stats/", views.stats, name="stats"),
    path("review-report/", views.review_report, name="review_report"),
    path("export/", excel_views.export_batch, name="export"),
    path("import/", excel_views.import_file, name="import"),
    path("<int:pk>/", views.target_detail, name="detail"),
    path("<int:pk>/edit/", views.target_edit, name="edit"),
    path("<int:pk>/row/", views.blank_row, name="blank_row"),
    path("<int:pk>/library/", views.add_from_library, name="add_from_library"),
    path("<int:pk>/distribute/", views.distribute, name="distribute"),
    path("<int:pk>/suggestions/", views.add_suggestions, name="add_suggestions"),
    path("<int:pk>/action/", views.target_action, name="action"),
    path("<int:pk>/comment/", views.target_comment, name="comment"),
    path("<int:pk>/final-review/", views.final_review, name="final_review"),
    path("<int:pk>/versions/<int:a>/<int:b>/", views.version_diff, name="diff"),
    path("<int:pk>/form.xlsx", excel_views.export_one, name="export_one"),
    path("<int:pk>/form.docx", excel_views.word_form, name="word"),
    path("<int:pk>/form.pdf", excel_views.pdf_form, name="pdf"),
]
