from django.conf import settings
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


class PushSubscription(models.Model):
    """One browser on one device that accepts Web Push for a person (the browser's PushSubscription).

    The endpoint is the push service's address for this browser: unique, so the
    same browser subscribing again (or for another person signed in on it)
    updates the row instead of adding one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions", verbose_name="человек"
    )
    endpoint = models.URLField("адрес службы уведомлений", max_length=1000, unique=True)
    p256dh = models.CharField("открытый ключ браузера", max_length=128)
    auth = models.CharField("секрет браузера", max_length=64)
    user_agent = models.CharField("браузер", max_length=300, blank=True)
    created_at = models.DateTimeField("подключено", auto_now_add=True)
    last_success_at = models.DateTimeField("последняя доставка", null=True, blank=True)
    # Failures since the last success; a 404/410 from the push service deletes the row instead.
    failures = models.PositiveIntegerField("ошибок подряд", default=0)

    class Meta:
        verbose_name = "устройство для уведомлений"
        verbose_name_plural = "устройства для уведомлений"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.user_agent[:60] or self.endpoint[:60]}"


class PushDelivery(models.Model):
    """One notification for one subscription, claimed before it is sent so it goes out at most once."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        SENDING = "sending", "отправляется"
        SENT = "sent", "отправлено"
        FAILED = "failed", "ошибка"

    subscription = models.ForeignKey(
        PushSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name="устройство"
    )
    # push_notify's idempotency key (or one it makes up): the same key never reaches a device twice.
    key = models.CharField("ключ", max_length=128)
    payload = models.JSONField("содержание", default=dict)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    error = models.CharField("ошибка", max_length=300, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    claimed_at = models.DateTimeField("взято в отправку", null=True, blank=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "push-уведомление"
        verbose_name_plural = "push-уведомления"
        constraints = [models.UniqueConstraint(fields=["subscription", "key"], name="push_delivery_once_per_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.payload.get('title', '')} → {self.subscription_id} ({self.get_status_display()})"
