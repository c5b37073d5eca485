from django.apps import AppConfig


class CollegesConfig(AppConfig):
    name = "colleges"
    verbose_name = "Колледжи"

    def ready(self):
        from colleges import dashboard
        from colleges.models import Role
        from sferum_admin import nav

        dashboard.register()
        nav.register(
            label="Заявки колледжей",
            url_name="colleges:application_queue",
            visible=lambda request: request.user.is_staff,
            order=10,
        )
        nav.register(
            label="Профиль колледжа",
            url_name="colleges:profile",
            visible=nav.has_current_role(Role.ADMINISTRATOR, Role.ADMINISTRATION),
            order=20,
        )
        nav.register(
            label="Отделения",
            url_name="colleges:department_list",
            visible=nav.has_current_role(Role.ADMINISTRATOR, Role.ADMINISTRATION),
            order=22,
        )
        nav.register(
            label="Сотрудники",
            url_name="colleges:staff_list",
            visible=nav.has_current_role(Role.ADMINISTRATOR, Role.ADMINISTRATION),
            order=24,
        )
