from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    name = "materials"
    verbose_name = "Материалы"

    def ready(self) -> None:
        from core import nav
        from materials.permissions import can_view_materials

        nav.register(
            label="Материалы",
            url_name="materials:list",
            visible=nav.allowed(can_view_materials),
            order=40,
            section=nav.MATERIALS,
        )
        nav.register(
            label="Документы колледжа",
            url_name="materials:documents",
            visible=nav.allowed(can_view_materials),
            order=41,
            section=nav.MATERIALS,
        )
