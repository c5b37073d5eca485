from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "groups.movement"
    label = "movement"
    verbose_name = "Движение контингента"

    def ready(self) -> None:
        from colleges.models import Role
        from sferum_admin import nav

        nav.register(
            label="Движение контингента",
            url_name="movement:list",
            visible=nav.has_current_role(Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER),
            order=40,
        )
        nav.register(
            label="Импорт контингента",
            url_name="movement:import_list",
            visible=nav.has_current_role(Role.ADMINISTRATOR),
            order=41,
        )
        from groups.movement.dashboard import pending_movements_card
        from sferum_admin import dashboard

        dashboard.register(key="movement.pending", provider=pending_movements_card, order=30)
