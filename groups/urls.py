from django.urls import path

from groups import views, views_guardians

app_name = "groups"

urlpatterns = [
    path("", views.StudyGroupListView.as_view(), name="study_group_list"),
    path("new/", views.StudyGroupCreateView.as_view(), name="study_group_create"),
    path("<int:pk>/", views.StudyGroupDetailView.as_view(), name="study_group_detail"),
    path("<int:pk>/edit/", views.StudyGroupEditView.as_view(), name="study_group_edit"),
    path("<int:pk>/inline/", views.StudyGroupInlineEditView.as_view(), name="study_group_inline_edit"),
    path("<int:pk>/curator/", views.CuratorAssignView.as_view(), name="curator_assign"),
    path("<int:pk>/curator/end/", views.CuratorEndView.as_view(), name="curator_end"),
    path("<int:pk>/subjects/add/", views.SubjectAssignView.as_view(), name="subject_assign"),
    path("subjects/<int:pk>/end/", views.SubjectAssignmentEndView.as_view(), name="subject_assignment_end"),
    path("my/", views.MyGroupsView.as_view(), name="my_groups"),
    path("my-group/", views.MyGroupView.as_view(), name="my_group"),
    path("children/", views_guardians.MyChildrenView.as_view(), name="my_children"),
    path("<int:pk>/child/", views_guardians.GuardianClaimView.as_view(), name="guardian_claim"),
    path("<int:pk>/guardians/", views_guardians.GroupGuardiansView.as_view(), name="guardians"),
    path("my-parents/", views_guardians.MyGuardiansView.as_view(), name="my_guardians"),
    path("guardians/<int:pk>/decide/", views_guardians.GuardianDecideView.as_view(), name="guardian_decide"),
    path("staff/", views.StaffGroupListView.as_view(), name="staff_group_list"),
    path("staff/new/", views.StaffGroupCreateView.as_view(), name="staff_group_create"),
    path("staff/<int:pk>/", views.StaffGroupDetailView.as_view(), name="staff_group_detail"),
    path("staff/<int:pk>/edit/", views.StaffGroupEditView.as_view(), name="staff_group_edit"),
    path("staff/<int:pk>/members/add/", views.StaffGroupMemberAddView.as_view(), name="staff_group_member_add"),
    path(
        "staff/<int:pk>/members/<int:member_pk>/remove/",
        views.StaffGroupMemberRemoveView.as_view(),
        name="staff_group_member_remove",
    ),
    path("disciplines/", views.DisciplineListView.as_view(), name="discipline_list"),
    path("disciplines/new/", views.DisciplineCreateView.as_view(), name="discipline_create"),
    path("disciplines/<int:pk>/edit/", views.DisciplineEditView.as_view(), name="discipline_edit"),
]
