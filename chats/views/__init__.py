"""Pages of chats: thin views over ``chats.selectors`` and ``chats.services`` (see ``chats/urls.py``)."""

from chats.views.chat import ChatPushView, ChatSearchView, ChatSettingsView, ChatStatusView, ChatView
from chats.views.lists import ChatCreateView, ChatListView, DirectChatView
from chats.views.members import ChatLeaveView, ChatMembersView, MemberView
from chats.views.message import (
    MessageDeleteView,
    MessageEditView,
    MessageModerateView,
    MessagePinView,
    MessageReportView,
    MessageView,
)
from chats.views.reports import AttachmentDownloadView, MyReportsView, ReportDecideView, ReportQueueView

__all__ = [
    "AttachmentDownloadView",
    "ChatCreateView",
    "ChatLeaveView",
    "ChatListView",
    "ChatMembersView",
    "ChatPushView",
    "ChatSearchView",
    "ChatSettingsView",
    "ChatStatusView",
    "ChatView",
    "DirectChatView",
    "MemberView",
    "MessageDeleteView",
    "MessageEditView",
    "MessageModerateView",
    "MessagePinView",
    "MessageReportView",
    "MessageView",
    "MyReportsView",
    "ReportDecideView",
    "ReportQueueView",
]
