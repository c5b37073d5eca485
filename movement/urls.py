from django.urls import path

from movement import views, views_import

app_name = "movement"

urlpatterns = [
    path("", views.MovementListView.as_view(), name="list"),
    path("people/", views.PeopleListView.as_view(), name="people"),
    path("people/hire/", views.HireView.as_view(), name="hire"),
    path("people/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("people/<int:pk>/", views.PersonCardView.as_view(), name="person"),
    path("people/<int:pk>/new/", views.MovementCreateView.as_view(), name="create"),
    path("people/<int:pk>/handover/", views.HandoverView.as_view(), name="handover"),
    path("<int:pk>/cancel/", views.MovementCancelView.as_view(), name="cancel"),
    path("groups/<int:pk>/roster/", views.RosterView.as_view(), name="roster"),
    path("imports/", views_import.ImportListView.as_view(), name="import_list"),
    path("imports/new/", views_import.ImportUploadView.as_view(), name="import_upload"),
    path("imports/<int:pk>/", views_import.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/mapping/", views_import.ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<int:pk>/apply/", views_import.ImportApplyView.as_view(), name="import_apply"),
    path("imports/<int:pk>/progress/", views_import.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/rollback/", views_import.ImportRollbackView.as_view(), name="import_rollback"),
    path("imports/<int:pk>/requeue/", views_import.ImportRequeueView.as_view(), name="import_requeue"),
    path("rollover/", views_import.RolloverView.as_view(), name="rollover"),
    path("reports/joined/", views.JoinedReportView.as_view(), name="report"),
]
