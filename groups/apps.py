from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Группы и контингент"

    def ready(self) -> None:
        from core import nav
        from groups import cards, permissions

        nav.register(
            label="Панель", url_name="dashboard", visible=nav.allowed(permissions.can_view_dashboard), order=10
        )
        nav.register(
            label="Учебные группы",
            url_name="groups:study_group_list",
            visible=nav.allowed(permissions.can_view_study_group_list),
            order=30,
            section=nav.COLLEGE,
        )
        nav.register(
            label="Группы сотрудников",
            url_name="groups:staff_group_list",
            visible=nav.allowed(permissions.can_view_staff_groups),
            order=32,
            section=nav.COLLEGE,
        )
        nav.register(
            label="Дисциплины",
            url_name="groups:discipline_list",
            visible=nav.allowed(permissions.can_view_disciplines),
            order=34,
            section=nav.COLLEGE,
        )
        nav.register(
            label="Мои группы",
            url_name="groups:my_groups",
            visible=nav.allowed(permissions.can_view_my_groups),
            order=40,
        )
        nav.register(
            label="Моя группа", url_name="groups:my_group", visible=nav.allowed(permissions.can_view_my_group), order=40
        )
        nav.register(
            label="Мой ребёнок",
            url_name="groups:my_children",
            visible=nav.allowed(permissions.can_view_my_children),
            order=41,
        )
        nav.register(
            label="Мои родители",
            url_name="groups:my_guardians",
            visible=nav.allowed(permissions.can_view_my_guardians),
            order=42,
        )
        cards.register()
