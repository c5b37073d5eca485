from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = "Чаты"

    def ready(self) -> None:
        from chats import receivers
        from chats.permissions import can_view_chats
        from core import nav

        receivers.connect()
        nav.register(label="Чаты", url_name="chats:list", visible=nav.allowed(can_view_chats), order=35)
