from django.urls import path

from colleges import views

app_name = "colleges"

urlpatterns = [
    # Public: a college applies to join.
    path("apply/", views.ApplyView.as_view(), name="apply"),
    path("apply/done/", views.ApplyDoneView.as_view(), name="apply_done"),
    # Platform staff.
    path("platform/applications/", views.ApplicationQueueView.as_view(), name="application_queue"),
    path("platform/applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("platform/applications/<int:pk>/order/", views.ApplicationFileView.as_view(), name="application_file"),
    path("platform/applications/<int:pk>/approve/", views.ApplicationApproveView.as_view(), name="application_approve"),
    path("platform/applications/<int:pk>/reject/", views.ApplicationRejectView.as_view(), name="application_reject"),
    # The current college.
    path("college/", views.CollegeProfileView.as_view(), name="profile"),
    path("college/edit/", views.CollegeProfileEditView.as_view(), name="profile_edit"),
    path("college/switch/", views.CollegeSwitchView.as_view(), name="switch"),
    path("college/departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("college/departments/new/", views.DepartmentCreateView.as_view(), name="department_create"),
    path("college/departments/<int:pk>/edit/", views.DepartmentEditView.as_view(), name="department_edit"),
    path("college/departments/<int:pk>/delete/", views.DepartmentDeleteView.as_view(), name="department_delete"),
    path("college/staff/", views.StaffListView.as_view(), name="staff_list"),
    path("college/staff/new/", views.StaffAddView.as_view(), name="staff_add"),
    path("college/administrator/", views.AdministratorAppointView.as_view(), name="administrator_appoint"),
]
