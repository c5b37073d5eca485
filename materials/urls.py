from django.urls import path

from materials import views

app_name = "materials"

urlpatterns = [
    path("", views.MaterialListView.as_view(), name="list"),
    path("documents/", views.DocumentListView.as_view(), name="documents"),
    path("groups/<int:pk>/", views.MaterialGroupView.as_view(), name="group"),
    path("new/", views.MaterialCreateView.as_view(), name="create"),
    path("new-for-me/", views.MaterialNoticeListView.as_view(), name="notices"),
    path("uploads/", views.MaterialFileUploadView.as_view(), name="upload"),
    path("<int:pk>/", views.MaterialDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MaterialUpdateView.as_view(), name="update"),
    path("<int:pk>/publish/", views.MaterialPublishView.as_view(), name="publish"),
    path("<int:pk>/unpublish/", views.MaterialUnpublishView.as_view(), name="unpublish"),
    path("<int:pk>/pin/", views.MaterialPinView.as_view(), name="pin"),
    path("<int:pk>/delete/", views.MaterialDeleteView.as_view(), name="delete"),
    path("files/<int:pk>/download/", views.MaterialFileDownloadView.as_view(), name="file_download"),
    path("files/<int:pk>/replace/", views.MaterialFileReplaceView.as_view(), name="file_replace"),
]
