from django.urls import path

from movement import api

urlpatterns = [
    path("movement/movements/", api.MovementListApi.as_view(), name="movement-list"),
    path("movement/movements/<int:pk>/", api.MovementDetailApi.as_view(), name="movement-detail"),
    path("movement/imports/", api.ImportUploadApi.as_view(), name="movement-import-upload"),
    path("movement/imports/<int:pk>/", api.ImportDetailApi.as_view(), name="movement-import-detail"),
    path("movement/imports/<int:pk>/rows/", api.ImportRowsApi.as_view(), name="movement-import-rows"),
    path("movement/imports/<int:pk>/apply/", api.ImportApplyApi.as_view(), name="movement-import-apply"),
    path("movement/groups/<int:pk>/roster/", api.RosterApi.as_view(), name="movement-roster"),
]
