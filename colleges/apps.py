from django.apps import AppConfig


class CollegesConfig(AppConfig):
    name = "colleges"
    verbose_name = "Колледжи"

    def ready(self):
        from accounts.signals import user_names_changed
        from colleges import dashboard, permissions
        from colleges.receivers import copy_user_names
        from core import nav

        user_names_changed.connect(copy_user_names, dispatch_uid="colleges.copy_user_names")
        dashboard.register()
        nav.register(
            label="Заявки колледжей",
            url_name="colleges:application_queue",
            visible=lambda request: permissions.can_review_applications(request.user),
            order=10,
        )
        nav.register(
            label="Профиль колледжа",
            url_name="colleges:profile",
            visible=nav.allowed(permissions.can_view_college_profile),
            order=20,
            section=nav.COLLEGE,
        )
        nav.register(
            label="Отделения",
            url_name="colleges:department_list",
            visible=nav.allowed(permissions.can_view_departments),
            order=22,
            section=nav.COLLEGE,
        )
        nav.register(
            label="Сотрудники",
            url_name="colleges:staff_list",
            visible=nav.allowed(permissions.can_view_staff),
            order=24,
            section=nav.COLLEGE,
        )
