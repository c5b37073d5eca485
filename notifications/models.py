from django.db import models


class Message(models.Model):
    """Every SMS or e-mail the platform sends, with its delivery outcome.

    Secrets (one-time codes, invitation tokens) are masked in ``body`` and
    ``context`` before the row is written.
    """

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        SENDING = "sending", "отправляется"
        SENT = "sent", "отправлено"
        FAILED = "failed", "ошибка"

    college = models.ForeignKey(
        "colleges.College",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name="колледж",
    )
    channel = models.CharField("канал", max_length=8, choices=Channel.choices)
    recipient = models.CharField("получатель", max_length=254)
    template = models.CharField("шаблон", max_length=64)
    context = models.JSONField("контекст", default=dict, blank=True)
    body = models.TextField("текст", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    error = models.TextField("ошибка", blank=True)
    provider_message_id = models.CharField("id у провайдера", max_length=128, blank=True)
    # A caller that must never send twice (bulk invitations) passes a key.
    idempotency_key = models.CharField("ключ идемпотентности", max_length=128, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    # When a sender last took the message (state SENDING); a stale claim may be taken over.
    claimed_at = models.DateTimeField("взято в отправку", null=True, blank=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "отправленные сообщения"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.template})"
