from django.conf import settings
from django.db import models
from django.db.models import Q

from core.files import random_stored_name
from support.storage import SupportStorage


class Topic(models.TextChoices):
    ACCESS = "access", "вход и доступ"
    INVITATIONS = "invitations", "приглашения"
    CHATS = "chats", "чаты"
    MATERIALS = "materials", "материалы"
    VIDEO = "video", "видеосвязь"
    OTHER = "other", "другое"


class Ticket(models.Model):
    """A question of a college's member to its administrator (seed §3.2), passed on to platform staff if need be.

    ``open`` waits for an answer, ``answered`` waits for the author, ``closed``
    is done (the author may reopen it for ``REOPEN_DAYS``). ``escalated_at`` is
    set once the administrator passes the question on to platform support.
    """

    class Status(models.TextChoices):
        OPEN = "open", "ждёт ответа"
        ANSWERED = "answered", "есть ответ"
        CLOSED = "closed", "закрыто"

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="support_tickets", verbose_name="колледж"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_tickets", verbose_name="автор"
    )
    topic = models.CharField("тема", max_length=16, choices=Topic.choices)
    text = models.TextField("вопрос")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.OPEN)
    escalated_at = models.DateTimeField("передано в техподдержку", null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="передал в техподдержку",
    )
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("последнее изменение", auto_now=True)

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="support_ticket_closed_has_date",
            ),
        ]
        indexes = [
            # The administrator's queue (by status, newest change first) and the author's own list.
            models.Index(fields=["college", "status", "-updated_at", "-id"], name="support_ticket_queue_idx"),
            models.Index(fields=["college", "-updated_at", "-id"], name="support_ticket_college_idx"),
            models.Index(fields=["author", "college", "-updated_at"], name="support_ticket_author_idx"),
            # Platform staff's queue: escalated tickets of every college, and only those.
            models.Index(
                fields=["-escalated_at", "-id"],
                name="support_ticket_escalated_idx",
                condition=Q(escalated_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Обращение №{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def preview(self) -> str:
        """The first line of the question, cut short for lists."""
        first = " ".join(self.text.split())
        return first if len(first) <= 90 else first[:89] + "…"


class TicketReply(models.Model):
    """One message of a ticket's thread after the question itself."""

    class Side(models.TextChoices):
        AUTHOR = "author", "автор"
        COLLEGE = "college", "администратор колледжа"
        PLATFORM = "platform", "техподдержка платформы"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies", verbose_name="обращение")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="автор"
    )
    side = models.CharField("кто отвечает", max_length=16, choices=Side.choices)
    text = models.TextField("текст")
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "ответ в обращении"
        verbose_name_plural = "ответы в обращениях"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="support_reply_thread_idx")]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.text[:40]}"


def attachment_upload_to(instance: "TicketAttachment", filename: str) -> str:
    return random_stored_name(instance.college_id, filename)


class TicketAttachment(models.Model):
    """A screenshot (PNG, JPEG, WebP) or a PDF on the question (``reply`` empty) or on one reply.

    Checked by content (``core.files``), stored in the private ``support`` storage (an image with its
    small copy, ``thumbnail``) and handed out only by the download views, to whoever may see the ticket
    (``permissions.can_view_attachment``).
    """

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name="обращение")
    reply = models.ForeignKey(
        TicketReply,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name="ответ",
    )
    file = models.FileField("файл", upload_to=attachment_upload_to, storage=SupportStorage(), max_length=255)
    # The small JPEG the thread shows (support/thumbnails.py), beside the file in the same storage; empty for
    # a PDF and for an image stored before thumbnails were made (the page then shows the file itself).
    thumbnail = models.FileField(
        "уменьшенная копия",
        upload_to=attachment_upload_to,
        storage=SupportStorage(),
        max_length=255,
        blank=True,
    )
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField("тип", max_length=100)
    size = models.PositiveBigIntegerField("размер")
    created_at = models.DateTimeField("загружено", auto_now_add=True)

    class Meta:
        verbose_name = "вложение обращения"
        verbose_name_plural = "вложения обращений"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
