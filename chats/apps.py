from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = "Чаты"

    def ready(self) -> None:
        from chats import receivers

        receivers.connect()
