from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("i/<str:token>/", views.InvitationAcceptView.as_view(), name="accept"),
    path("invitations/", views.InvitationListView.as_view(), name="list"),
    path("invitations/new/", views.InvitationCreateView.as_view(), name="create"),
    path("invitations/<int:pk>/", views.InvitationDetailView.as_view(), name="detail"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="revoke"),
    path("invitations/<int:pk>/regenerate/", views.InvitationRegenerateView.as_view(), name="regenerate"),
    path("invitations/<int:pk>/pause/", views.InvitationPauseView.as_view(), name="pause"),
    path("invitations/<int:pk>/send/", views.InvitationSendView.as_view(), name="send"),
    path("invitations/<int:pk>/qr.<str:fmt>", views.InvitationQrView.as_view(), name="qr"),
    path("invitations/groups/<int:group_pk>/print/", views.GroupPrintSheetView.as_view(), name="group_print"),
    path("invitations/groups/<int:group_pk>/hand/", views.HandToCuratorView.as_view(), name="hand_to_curator"),
    path("invitations/joined/", views.ProvenanceView.as_view(), name="provenance"),
    path("invitations/requests/", views.JoinRequestListView.as_view(), name="request_list"),
    path("invitations/requests/decide/", views.JoinRequestDecideView.as_view(), name="request_decide"),
    path("invitations/send/", views.BulkDispatchCreateView.as_view(), name="dispatch_create"),
    path("invitations/send/<int:pk>/", views.BulkDispatchDetailView.as_view(), name="dispatch_detail"),
    path("invitations/send/<int:pk>/requeue/", views.BulkDispatchRequeueView.as_view(), name="dispatch_requeue"),
]
