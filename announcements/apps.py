from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = "Объявления"

    def ready(self) -> None:
        from announcements import notes
        from announcements.permissions import can_view_announcements
        from core import home, nav

        nav.register(
            label="Объявления", url_name="announcements:list", visible=nav.allowed(can_view_announcements), order=44
        )
        home.register(key="announcements.unread", provider=notes.unread_announcement_notes)
