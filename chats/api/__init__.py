"""API of the chats app under /api/v1/colleges/<college_id>/ (DRF), on the one college API base
(``colleges.api_base``), with the same services, selectors and predicates as the chat pages.

- ``chats/`` the caller's chats (unread counts, last message), create; ``chats/<id>/`` read, rename;
  ``…/status/``, ``…/read/``, ``…/leave/``, ``…/pinned/``; ``chats/direct/``; ``chats/search/?q=``;
- ``chats/<chat_pk>/members/`` list, add; ``…/members/<membership id>/`` remove, ``ban/``, ``unban/``,
  ``mute/``, ``unmute/``, ``role/``;
- ``chats/<chat_pk>/messages/`` history (``?before=&limit=``), post; ``…/messages/<id>/`` read, edit, delete
  one's own, ``moderate-delete/``, ``pin/``, ``unpin/``, ``reactions/``, ``report/``; ``…/messages/search/?q=``;
- ``chats/<chat_pk>/attachments/<id>/`` a file; ``chat-reports/`` the queue, ``mine/``, ``<id>/decide/``.
"""

from rest_framework.routers import SimpleRouter

from chats.api.chats import ChatMemberViewSet, ChatViewSet
from chats.api.messages import AttachmentViewSet, MessageViewSet
from chats.api.reports import ReportViewSet
from colleges.api_base import college_urls

router = SimpleRouter()
router.register("chats", ChatViewSet, basename="chat")
router.register(r"chats/(?P<chat_pk>[0-9]+)/members", ChatMemberViewSet, basename="chat-member")
router.register(r"chats/(?P<chat_pk>[0-9]+)/messages", MessageViewSet, basename="chat-message")
router.register(r"chats/(?P<chat_pk>[0-9]+)/attachments", AttachmentViewSet, basename="chat-attachment")
router.register("chat-reports", ReportViewSet, basename="chat-report")

urlpatterns = college_urls(router.urls)
