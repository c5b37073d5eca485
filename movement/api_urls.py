from django.urls import path

from colleges.api_base import college_urls
from movement import api

urlpatterns = college_urls(
    [
        path("movement/movements/", api.MovementListApi.as_view(), name="movement-list"),
        path("movement/movements/<int:pk>/", api.MovementDetailApi.as_view(), name="movement-detail"),
        path("movement/imports/", api.ImportUploadApi.as_view(), name="movement-import-upload"),
        path("movement/imports/<int:pk>/", api.ImportDetailApi.as_view(), name="movement-import-detail"),
        path("movement/imports/<int:pk>/rows/", api.ImportRowsApi.as_view(), name="movement-import-rows"),
        path("movement/imports/<int:pk>/apply/", api.ImportApplyApi.as_view(), name="movement-import-apply"),
        path("movement/groups/<int:pk>/roster/", api.RosterApi.as_view(), name="movement-roster"),
    ]
)
