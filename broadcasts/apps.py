from django.apps import AppConfig


class BroadcastsConfig(AppConfig):
    name = "broadcasts"
    verbose_name = "Видеосвязь и трансляции"

    def ready(self) -> None:
        from broadcasts import notes
        from broadcasts.permissions import can_view_sessions
        from core import home, nav

        nav.register(label="Видеосвязь", url_name="broadcasts:list", visible=nav.allowed(can_view_sessions), order=45)
        home.register(key="broadcasts.next_seminar", provider=notes.next_seminar_notes)
