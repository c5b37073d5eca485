"""Lookups the chats API's views share: the chat, a message of it, a member, each scoped to the URL's college
and to what the caller may read (404 alike for «missing» and «not yours»)."""

from django.http import Http404
from rest_framework.exceptions import NotFound

from chats import permissions, selectors
from chats.models import Chat, Message
from colleges.models import Membership
from core.pages import ID_MAX, parse_id


def path_id(value) -> int:
    """An id from the path (the route takes digits only): one beyond any table's range is «not found»."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or int(value) > ID_MAX:
        raise NotFound()
    return int(value)


def query_id(request, name: str) -> int | None:
    """An optional id from the query string; anything but plain digits is a Russian 400."""
    return parse_id(request.query_params.get(name), name=name)


class ChatLookupMixin:
    """For views under ``chats/<chat_pk>/``: ``self.chat`` is the chat the caller reads, or 404."""

    chat_kwarg = "chat_pk"

    def get_chat(self) -> Chat:
        if not hasattr(self, "_chat"):
            pk = path_id(self.kwargs[self.chat_kwarg])
            self._chat = selectors.chat_get_for(user=self.request.user, college=self.college, pk=pk)
        return self._chat

    def get_message(self) -> Message:
        """The message as the caller reads it (``selectors.message_for``), its rules asked by ``allowed_on``."""
        chat = self.get_chat()
        message = selectors.message_for(self.request.user, chat, path_id(self.kwargs["pk"]))
        if message is None:
            raise Http404
        message.chat = chat
        self.check_object_permissions(self.request, message)
        return message

    def get_member(self) -> Membership:
        """A person of the college named by the path (whether they are in the chat, the service decides)."""
        member = Membership.objects.filter(college=self.college, pk=path_id(self.kwargs["pk"])).select_related("user")
        found = member.first()
        if found is None:
            raise Http404
        return found


def viewer_flags(user, chat: Chat) -> dict:
    row = permissions.viewer_member(user, chat)
    refusal = permissions.post_refusal(user, chat)
    return {
        "role": row.role,
        "muted_until": row.muted_until,
        "last_read_message_id": row.last_read_message_id,
        "can_post": refusal is None,
        "post_refusal": refusal,
        "can_moderate": permissions.can_moderate(user, chat),
        "can_manage": permissions.can_manage_chat(user, chat),
    }
