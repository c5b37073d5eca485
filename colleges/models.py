from django.conf import settings
from django.db import models
from django.db.models import Q

from colleges.validators import validate_inn, validate_ogrn


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "администратор платформы"
    ADMINISTRATION = "administration", "администрация колледжа"
    TEACHER = "teacher", "преподаватель"
    STUDENT = "student", "обучающийся"
    PARENT = "parent", "родитель (законный представитель)"


STAFF_ROLES = (Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER)

# Roles an administrator hires into directly (the administrator is appointed by the director's order).
HIREABLE_ROLES = (Role.TEACHER, Role.ADMINISTRATION)

# The time zones of Russia, west to east.
TIME_ZONE_CHOICES = [
    ("Europe/Kaliningrad", "Калининград (МСК−1)"),
    ("Europe/Moscow", "Москва (МСК)"),
    ("Europe/Samara", "Самара (МСК+1)"),
    ("Asia/Yekaterinburg", "Екатеринбург (МСК+2)"),
    ("Asia/Omsk", "Омск (МСК+3)"),
    ("Asia/Krasnoyarsk", "Красноярск (МСК+4)"),
    ("Asia/Irkutsk", "Иркутск (МСК+5)"),
    ("Asia/Yakutsk", "Якутск (МСК+6)"),
    ("Asia/Vladivostok", "Владивосток (МСК+7)"),
    ("Asia/Magadan", "Магадан (МСК+8)"),
    ("Asia/Kamchatka", "Камчатка (МСК+9)"),
]


class College(models.Model):
    """The tenant. Every college-owned row points here."""

    class Status(models.TextChoices):
        ACTIVE = "active", "работает"
        SUSPENDED = "suspended", "приостановлен"

    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    inn = models.CharField("ИНН", max_length=10, unique=True, validators=[validate_inn])
    ogrn = models.CharField("ОГРН", max_length=13, unique=True, validators=[validate_ogrn])
    region = models.CharField("регион", max_length=200)
    address = models.CharField("адрес", max_length=500)
    time_zone = models.CharField("часовой пояс", max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Moscow")
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("телефон", max_length=16, blank=True)
    website = models.URLField("сайт", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "колледж"
        verbose_name_plural = "колледжи"
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class CollegeApplication(models.Model):
    """A college asking to join the platform, with the director's order appointing its administrator."""

    class Status(models.TextChoices):
        PENDING = "pending", "на рассмотрении"
        APPROVED = "approved", "одобрена"
        REJECTED = "rejected", "отклонена"

    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    inn = models.CharField("ИНН", max_length=10, validators=[validate_inn])
    ogrn = models.CharField("ОГРН", max_length=13, validators=[validate_ogrn])
    region = models.CharField("регион", max_length=200)
    address = models.CharField("адрес", max_length=500)
    time_zone = models.CharField("часовой пояс", max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Moscow")
    email = models.EmailField("e-mail колледжа")
    phone = models.CharField("телефон колледжа", max_length=16, blank=True)
    website = models.URLField("сайт", blank=True)
    admin_last_name = models.CharField("фамилия администратора", max_length=100)
    admin_first_name = models.CharField("имя администратора", max_length=100)
    admin_patronymic = models.CharField("отчество администратора", max_length=100, blank=True)
    admin_phone = models.CharField("мобильный телефон администратора", max_length=16)
    admin_email = models.EmailField("e-mail администратора", blank=True)
    order_number = models.CharField("номер приказа", max_length=50)
    order_date = models.DateField("дата приказа")
    order_file = models.FileField("скан приказа", upload_to="applications/%Y/%m/")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField("причина отказа", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="рассмотрел",
    )
    reviewed_at = models.DateTimeField("рассмотрено", null=True, blank=True)
    college = models.OneToOneField(
        College, null=True, blank=True, on_delete=models.SET_NULL, related_name="application", verbose_name="колледж"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "заявка на регистрацию организации"
        verbose_name_plural = "заявки на регистрацию организаций"
        ordering = ["-created_at"]
        constraints = [
            # One open application per INN at a time.
            models.UniqueConstraint(
                fields=["inn"], condition=Q(status="pending"), name="one_pending_application_per_inn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.get_status_display()})"


class Department(models.Model):
    college = models.ForeignKey(College, on_delete=models.CASCADE, related_name="departments", verbose_name="колледж")
    name = models.CharField("название", max_length=200)
    head_name = models.CharField("заведующий отделением", max_length=200, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "отделение"
        verbose_name_plural = "отделения"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["college", "name"], name="department_name_unique_in_college")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a college. One user may hold several (a teacher here, a parent there)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "активен"
        SUSPENDED = "suspended", "приостановлен"
        LEFT = "left", "выбыл"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="пользователь"
    )
    # No index of its own: the (college, role, status) index below leads with it.
    college = models.ForeignKey(
        College, on_delete=models.CASCADE, related_name="memberships", verbose_name="колледж", db_index=False
    )
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    position = models.CharField("должность", max_length=200, blank=True)
    order_number = models.CharField("номер приказа о назначении", max_length=50, blank=True)
    order_date = models.DateField("дата приказа о назначении", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    ended_at = models.DateTimeField("окончено", null=True, blank=True)
    # Copies of the user's ``search_text`` and ``sort_name`` (accounts.search), so that a college's people
    # are searched and ordered among its own rows, by indexes led by college_id (colleges/migrations/0006)
    # instead of through every user of the installation. Filled by the services that make memberships,
    # kept by ``colleges.receivers.copy_user_names`` when a person's name, phone or e-mail changes.
    search_text = models.TextField("текст для поиска", blank=True, default="", editable=False)
    sort_name = models.TextField("ключ сортировки по имени", blank=True, default="", editable=False)

    class Meta:
        verbose_name = "участник"
        verbose_name_plural = "участники"
        ordering = ["college", "role", "sort_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "college", "role"],
                condition=~Q(status="left"),
                name="one_current_membership_per_role",
            ),
            # The regulation names one administrator, appointed by the director's order.
            models.UniqueConstraint(
                fields=["college"],
                condition=Q(role="administrator", status="active"),
                name="one_active_administrator_per_college",
            ),
        ]
        indexes = [models.Index(fields=["college", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.college})"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.search_text:
            self.copy_user_names()
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def copy_user_names(self) -> None:
        """Take the user's ``search_text`` and ``sort_name``.

        ``save()`` calls it for a new membership made without them; the services pass them from the user
        they hold, and code that writes memberships without ``save()`` (``bulk_create``) calls it first.
        """
        self.search_text, self.sort_name = self.user.search_text, self.user.sort_name
