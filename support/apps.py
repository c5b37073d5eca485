from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Помощь и техподдержка"

    def ready(self) -> None:
        from core import dashboard, nav
        from support import cards
        from support.permissions import can_ask, can_manage_tickets, can_view_platform_queue

        nav.register(label="Помощь", url_name="support:help", visible=nav.allowed(can_ask), order=90)
        nav.register(
            label="Обращения",
            url_name="support:queue",
            visible=nav.allowed(can_manage_tickets),
            order=29,
            section=nav.COLLEGE,
        )
        nav.register(
            label="Техподдержка",
            url_name="support:platform_queue",
            visible=lambda request: can_view_platform_queue(request.user),
            order=11,
        )
        dashboard.register(key="support.open_tickets", provider=cards.open_tickets, order=70)
