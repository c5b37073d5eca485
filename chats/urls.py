from django.urls import path

from chats import views

app_name = "chats"

urlpatterns = [
    path("", views.ChatListView.as_view(), name="list"),
    path("new/", views.ChatCreateView.as_view(), name="create"),
    path("direct/", views.DirectChatView.as_view(), name="direct"),
    path("reports/", views.ReportQueueView.as_view(), name="reports"),
    path("reports/mine/", views.MyReportsView.as_view(), name="reports_mine"),
    path("reports/<int:pk>/", views.ReportDecideView.as_view(), name="report"),
    path("files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("<int:pk>/", views.ChatView.as_view(), name="chat"),
    path("<int:pk>/search/", views.ChatSearchView.as_view(), name="search"),
    path("<int:pk>/settings/", views.ChatSettingsView.as_view(), name="settings"),
    path("<int:pk>/status/", views.ChatStatusView.as_view(), name="status"),
    path("<int:pk>/leave/", views.ChatLeaveView.as_view(), name="leave"),
    path("<int:pk>/push/", views.ChatPushView.as_view(), name="push"),
    path("<int:pk>/members/", views.ChatMembersView.as_view(), name="members"),
    path("<int:pk>/members/<int:member_id>/", views.MemberView.as_view(), name="member"),
    path("<int:pk>/m/<int:message_id>/", views.MessageView.as_view(), name="message"),
    path("<int:pk>/m/<int:message_id>/edit/", views.MessageEditView.as_view(), name="message_edit"),
    path("<int:pk>/m/<int:message_id>/delete/", views.MessageDeleteView.as_view(), name="message_delete"),
    path("<int:pk>/m/<int:message_id>/pin/", views.MessagePinView.as_view(), name="message_pin"),
    path("<int:pk>/m/<int:message_id>/report/", views.MessageReportView.as_view(), name="message_report"),
    path("<int:pk>/m/<int:message_id>/moderate/", views.MessageModerateView.as_view(), name="message_moderate"),
]
