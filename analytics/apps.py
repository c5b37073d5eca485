from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Аналитика"

    def ready(self) -> None:
        from analytics import cards
        from analytics.permissions import can_view_joining
        from core import dashboard, nav

        nav.register(label="Аналитика", url_name="analytics:joining", visible=nav.allowed(can_view_joining), order=50)
        dashboard.register(key="analytics.usage", provider=cards.usage, order=90)
