from django.conf import settings
from django.db import models
from django.db.models import Q

TITLE_MAX = 200
TEXT_MAX = 10_000
REASON_MAX = 500


class Audience(models.TextChoices):
    COLLEGE = "college", "весь колледж"
    STAFF = "staff", "сотрудники"
    STUDENTS = "students", "обучающиеся"
    PARENTS = "parents", "родители"
    GROUPS = "groups", "выбранные группы"


class Announcement(models.Model):
    """A notice of the college to an audience (seed §2.2: «информирование участников образовательных
    отношений»). With audience «выбранные группы» it reaches those groups' students, and their parents when
    ``with_parents`` is set. Who is in the audience is computed when read (``selectors``), so a student who
    moves to the group later sees it too."""

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж", db_index=False
    )
    title = models.CharField("заголовок", max_length=TITLE_MAX)
    text = models.TextField("текст", max_length=TEXT_MAX)
    audience = models.CharField("кому", max_length=16, choices=Audience.choices)
    groups = models.ManyToManyField("groups.StudyGroup", blank=True, related_name="+", verbose_name="группы")
    with_parents = models.BooleanField("и их родителям", default=False)
    author = models.ForeignKey("colleges.Membership", on_delete=models.PROTECT, related_name="+", verbose_name="автор")
    published_at = models.DateTimeField("опубликовано")
    pinned_until = models.DateField("закреплено до", null=True, blank=True)
    withdrawn_at = models.DateTimeField("снято", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="снял",
    )
    withdraw_reason = models.CharField("причина снятия", max_length=REASON_MAX, blank=True)
    # Set once, by the notice run that claimed this announcement (a conditional UPDATE).
    notified_at = models.DateTimeField("уведомления отправлены", null=True, blank=True)

    class Meta:
        verbose_name = "объявление"
        verbose_name_plural = "объявления"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdraw_reason=""),
                name="announcement_withdrawn_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["college", "-published_at", "-id"], name="announcement_college_pub")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class AnnouncementRead(models.Model):
    """A person opened the announcement's page (the first time; later visits change nothing)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reads", verbose_name="объявление", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="кто")
    read_at = models.DateTimeField("прочитано")

    class Meta:
        verbose_name = "прочтение объявления"
        verbose_name_plural = "прочтения объявлений"
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="one_read_per_announcement_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.announcement}"
