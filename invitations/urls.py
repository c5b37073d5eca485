from django.urls import path

from invitations.views import dispatch, join, join_requests, links

app_name = "invitations"

urlpatterns = [
    path("i/<str:token>/", join.InvitationAcceptView.as_view(), name="accept"),
    path("invitations/", links.InvitationListView.as_view(), name="list"),
    path("invitations/new/", links.InvitationCreateView.as_view(), name="create"),
    path("invitations/<int:pk>/", links.InvitationDetailView.as_view(), name="detail"),
    path("invitations/<int:pk>/revoke/", links.InvitationRevokeView.as_view(), name="revoke"),
    path("invitations/<int:pk>/regenerate/", links.InvitationRegenerateView.as_view(), name="regenerate"),
    path("invitations/<int:pk>/pause/", links.InvitationPauseView.as_view(), name="pause"),
    path("invitations/<int:pk>/send/", links.InvitationSendView.as_view(), name="send"),
    path("invitations/<int:pk>/qr.<str:fmt>", links.InvitationQrView.as_view(), name="qr"),
    path("invitations/groups/<int:group_pk>/print/", links.GroupPrintSheetView.as_view(), name="group_print"),
    path("invitations/groups/<int:group_pk>/parents/", links.GroupParentLinkView.as_view(), name="group_parents"),
    path("invitations/groups/<int:group_pk>/hand/", links.HandToCuratorView.as_view(), name="hand_to_curator"),
    path("invitations/joined/", links.ProvenanceView.as_view(), name="provenance"),
    path("invitations/requests/", join_requests.JoinRequestListView.as_view(), name="request_list"),
    path("invitations/requests/decide/", join_requests.JoinRequestDecideView.as_view(), name="request_decide"),
    path("invitations/send/", dispatch.BulkDispatchCreateView.as_view(), name="dispatch_create"),
    path("invitations/send/<int:pk>/", dispatch.BulkDispatchDetailView.as_view(), name="dispatch_detail"),
    path("invitations/send/<int:pk>/requeue/", dispatch.BulkDispatchRequeueView.as_view(), name="dispatch_requeue"),
]
