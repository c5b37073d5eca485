from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.files import random_stored_name
from materials.storage import MaterialsStorage


class Section(models.TextChoices):
    LEARNING = "learning", "учебные материалы"
    DOCUMENTS = "documents", "документы колледжа"


class Kind(models.TextChoices):
    DOCUMENT = "document", "документ"
    VIDEO = "video", "видео"
    ARTICLE = "article", "статья"
    LINK = "link", "ссылка"


class Audience(models.TextChoices):
    COLLEGE = "college", "весь колледж"
    STAFF = "staff", "только сотрудники"
    GROUPS = "groups", "учебные группы"
    DISCIPLINE = "discipline", "дисциплина в группе"
    PARENTS = "parents", "родители группы"


# Audiences whose targets are study groups (the ``groups`` relation).
GROUP_AUDIENCES = (Audience.GROUPS, Audience.DISCIPLINE, Audience.PARENTS)


class Material(models.Model):
    """A document, video, article or link addressed to an audience in one college.

    Visible to its audience when published and ``published_at`` has come;
    a future ``published_at`` is a scheduled publication.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        PUBLISHED = "published", "опубликован"

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="materials", verbose_name="колледж"
    )
    section = models.CharField("раздел", max_length=16, choices=Section.choices, default=Section.LEARNING)
    kind = models.CharField("тип", max_length=16, choices=Kind.choices)
    title = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    body = models.TextField("текст статьи", blank=True)
    url = models.URLField("ссылка", max_length=500, blank=True)
    audience = models.CharField("кому", max_length=16, choices=Audience.choices)
    groups = models.ManyToManyField("groups.StudyGroup", blank=True, related_name="materials", verbose_name="группы")
    discipline = models.ForeignKey(
        "groups.Discipline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
        verbose_name="дисциплина",
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("опубликовано с", null=True, blank=True)
    pinned = models.BooleanField("закреплён", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="автор",
    )
    # Set once, by the first notification run for this publication.
    notified_at = models.DateTimeField("уведомления отправлены", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "материал"
        verbose_name_plural = "материалы"
        ordering = ["-pinned", "-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="material_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(audience="discipline", discipline__isnull=False)
                | (~Q(audience="discipline") & Q(discipline__isnull=True)),
                name="material_discipline_only_for_discipline_audience",
            ),
        ]
        indexes = [
            models.Index(fields=["college", "section", "status", "published_at"]),
            models.Index(fields=["status", "notified_at", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_scheduled(self) -> bool:
        return self.is_published and self.published_at > timezone.now()

    @property
    def is_live(self) -> bool:
        return self.is_published and self.published_at <= timezone.now()

    @property
    def has_files(self) -> bool:
        return self.kind in (Kind.DOCUMENT, Kind.VIDEO)


def material_file_upload_to(instance: "MaterialFile", filename: str) -> str:
    return random_stored_name(instance.college_id, filename)


class MaterialFile(models.Model):
    """One uploaded file, checked by content. Replacing a file adds a new version; old ones are kept.

    A file without ``material`` is an upload staged by the upload page,
    waiting for the material it belongs to to be saved.
    """

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.CASCADE, related_name="files", verbose_name="материал"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="загрузил",
    )
    file = models.FileField("файл", upload_to=material_file_upload_to, storage=MaterialsStorage(), max_length=255)
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField("тип содержимого", max_length=120)
    kind = models.CharField("тип", max_length=16, choices=Kind.choices)
    size = models.PositiveBigIntegerField("размер, байт")
    version = models.PositiveIntegerField("версия", default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_version",
        verbose_name="предыдущая версия",
    )
    is_current = models.BooleanField("текущая версия", default=True)
    download_count = models.PositiveIntegerField("скачиваний", default=0)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "файл материала"
        verbose_name_plural = "файлы материалов"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["material", "is_current"])]

    def __str__(self) -> str:
        return self.original_name


class MaterialNotice(models.Model):
    """A line in a person's «Новые материалы» list. One per person and material."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="material_notices", verbose_name="пользователь"
    )
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="notices", verbose_name="материал")
    created_at = models.DateTimeField("создано", auto_now_add=True)
    seen_at = models.DateTimeField("просмотрено", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление о материале"
        verbose_name_plural = "уведомления о материалах"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "material"], name="one_notice_per_user_material")]
        indexes = [models.Index(fields=["user", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.user} ← {self.material}"
