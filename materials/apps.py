from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    name = "materials"
    verbose_name = "Материалы"

    def ready(self) -> None:
        from colleges.models import Role
        from sferum_admin import nav

        nav.register(
            label="Материалы",
            url_name="materials:list",
            visible=nav.has_current_role(*Role.values),
            order=40,
        )
        nav.register(
            label="Документы колледжа",
            url_name="materials:documents",
            visible=nav.has_current_role(*Role.values),
            order=41,
        )
