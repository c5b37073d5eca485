from django.urls import path

from groups.movement import views, views_import

app_name = "movement"

urlpatterns = [
    path("", views.MovementListView.as_view(), name="list"),
    path("people/<int:pk>/", views.PersonCardView.as_view(), name="person"),
    path("people/<int:pk>/new/", views.MovementCreateView.as_view(), name="create"),
    path("people/<int:pk>/handover/", views.HandoverView.as_view(), name="handover"),
    path("<int:pk>/cancel/", views.MovementCancelView.as_view(), name="cancel"),
    path("groups/<int:pk>/roster/", views.RosterView.as_view(), name="roster"),
    path("imports/", views_import.ImportListView.as_view(), name="import_list"),
]
