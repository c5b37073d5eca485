from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    name = "broadcasts"
    verbose_name = "Видеосвязь и трансляции"

    def ready(self) -> None:
        from broadcasts import cards
        from broadcasts.permissions import can_view_sessions
        from core import dashboard, nav

        nav.register(label="Видеосвязь", url_name="broadcasts:list", visible=nav.allowed(can_view_sessions), order=45)
        dashboard.register(key="broadcasts.upcoming_seminars", provider=cards.upcoming_seminars, order=80)
