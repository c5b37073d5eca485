from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Группы и контингент"

    def ready(self) -> None:
        from groups import cards
        from sferum_admin import nav

        nav.register(
            label="Панель",
            url_name="dashboard",
            visible=nav.has_current_role("administrator", "administration"),
            order=10,
        )
        nav.register(
            label="Учебные группы",
            url_name="groups:study_group_list",
            visible=nav.has_current_role("administrator"),
            order=30,
        )
        nav.register(
            label="Группы сотрудников",
            url_name="groups:staff_group_list",
            visible=nav.has_current_role("administrator"),
            order=32,
        )
        nav.register(
            label="Дисциплины",
            url_name="groups:discipline_list",
            visible=nav.has_current_role("administrator"),
            order=34,
        )
        nav.register(label="Мои группы", url_name="groups:my_groups", visible=nav.has_current_role("teacher"), order=40)
        nav.register(label="Моя группа", url_name="groups:my_group", visible=nav.has_current_role("student"), order=40)
        cards.register()
