from django.apps import AppConfig
from django.core import checks


class SferumAdminConfig(AppConfig):
    name = "sferum_admin"
    verbose_name = "Сферум Админ"

    def ready(self):
        from sferum_admin.checks import production_settings_check, site_url_check

        checks.register(site_url_check)
        checks.register(production_settings_check)
