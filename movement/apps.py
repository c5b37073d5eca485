from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "movement"
    label = "movement"
    verbose_name = "Движение контингента"

    def ready(self) -> None:
        from core import nav
        from movement import permissions

        nav.register(
            label="Движение контингента",
            url_name="movement:list",
            visible=nav.allowed(permissions.can_view_movement_list),
            order=40,
            section=nav.PEOPLE,
        )
        nav.register(
            label="Импорт контингента",
            url_name="movement:import_list",
            visible=nav.allowed(permissions.can_manage_movements),
            order=41,
            section=nav.PEOPLE,
        )
        from core import dashboard
        from movement.dashboard import pending_movements_card

        dashboard.register(key="movement.pending", provider=pending_movements_card, order=30)
