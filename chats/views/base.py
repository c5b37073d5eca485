"""What every chat page shares: the college's chats for its members, one chat for its current members."""

from django.urls import reverse

from chats import permissions, selectors
from colleges.pages import CollegePageView

NOT_A_MEMBER_MESSAGE = "Чаты доступны участникам колледжа."


class CollegeChatsPage(CollegePageView):
    """A page of the current college's chats: its members."""

    allowed = permissions.can_view_chats
    denied_message = NOT_A_MEMBER_MESSAGE


class ChatPage(CollegeChatsPage):
    """A page of one chat the viewer is a current member of (404 for any other, of any college)."""

    lookup = selectors.chat_get_for
    lookup_user = "user"

    @property
    def chat(self):
        return self.object


class ChatManagePage(ChatPage):
    allowed_on = permissions.can_manage_chat
    denied_on_message = "Изменять чат могут только его владельцы и администратор колледжа."


class ChatModeratePage(ChatPage):
    allowed_on = permissions.can_moderate
    denied_on_message = "Это могут делать только владельцы и модераторы чата."


def chat_url(chat, *, message_id: int | None = None) -> str:
    url = reverse("chats:chat", kwargs={"pk": chat.pk})
    return f"{url}#m-{message_id}" if message_id else url


def message_in_context_url(message) -> str:
    """The chat's history page that ends with ``message``, scrolled to it."""
    url = reverse("chats:chat", kwargs={"pk": message.chat_id})
    return f"{url}?before={message.pk + 1}#m-{message.pk}"
