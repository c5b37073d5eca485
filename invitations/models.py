"""Invitation links, their uses, join requests and bulk dispatches of personal invitations.

Tokens are never stored in the clear: ``token_hash`` (SHA-256) finds the
link, ``token_sealed`` (Fernet, key derived from SECRET_KEY) lets staff see
and copy a multi-use link again. A database dump alone reveals no link.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from colleges.models import Role


class Invitation(models.Model):
    class Kind(models.TextChoices):
        MULTI = "multi", "многоразовая ссылка"
        PERSONAL = "personal", "персональное приглашение"

    class Status(models.TextChoices):
        ACTIVE = "active", "действует"
        PAUSED = "paused", "приостановлена"
        REVOKED = "revoked", "отозвана"

    class Delivery(models.TextChoices):
        NONE = "", "—"
        QUEUED = "queued", "в очереди"
        SENT = "sent", "отправлено"
        FAILED = "failed", "ошибка отправки"
        # The worker stopped between handing the message to the gateway and recording it:
        # it may or may not have gone out, and it is never sent again automatically.
        UNKNOWN = "unknown", "исход неизвестен"
        ACCEPTED = "accepted", "принято"

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="invitations", verbose_name="колледж"
    )
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    group = models.ForeignKey(
        "groups.StudyGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name="учебная группа",
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.MULTI)
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name="отпечаток ссылки")
    token_sealed = models.TextField(editable=False, verbose_name="ссылка (зашифрована)")
    max_uses = models.PositiveIntegerField("не более присоединений", null=True, blank=True)
    uses_count = models.PositiveIntegerField("присоединений", default=0)
    expires_at = models.DateTimeField("действует до")
    requires_approval = models.BooleanField("нужно одобрение администратора", default=False)
    auto_approve_until = models.DateTimeField(
        "без одобрения до", null=True, blank=True, help_text="После этого момента присоединения идут на рассмотрение."
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    recipient_phone = models.CharField("телефон получателя", max_length=16, blank=True)
    recipient_email = models.EmailField("e-mail получателя", blank=True)
    recipient_name = models.CharField("имя получателя", max_length=300, blank=True)
    delivery_status = models.CharField(
        "доставка", max_length=16, choices=Delivery.choices, default=Delivery.NONE, blank=True
    )
    delivery_error = models.CharField("ошибка доставки", max_length=500, blank=True)
    dispatch = models.ForeignKey(
        "BulkDispatch",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name="рассылка",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="создал"
    )
    handed_to = models.ForeignKey(
        "colleges.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handed_invitations",
        verbose_name="передана куратору",
    )
    paused_reason = models.CharField("причина приостановки", max_length=300, blank=True)
    revoked_at = models.DateTimeField("отозвана", null=True, blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)

    class Meta:
        verbose_name = "ссылка-приглашение"
        verbose_name_plural = "ссылки-приглашения"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The last word on the cap, should any code path forget the conditional update.
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses_count__lte=F("max_uses")),
                name="invitation_uses_within_cap",
            ),
            models.CheckConstraint(
                condition=~Q(kind="personal") | Q(max_uses=1), name="personal_invitation_single_use"
            ),
        ]
        indexes = [
            models.Index(fields=["college", "status", "-created_at"]),
            models.Index(fields=["group", "role"]),
            # The college's list of links in its order (a page is read from the index, no sort of them all).
            models.Index(fields=["college", "kind", "-created_at", "-id"], name="invitation_college_list_idx"),
        ]

    def __str__(self) -> str:
        where = f", {self.group}" if self.group_id else ""
        return f"{self.get_role_display()}{where} ({self.get_kind_display()})"

    @property
    def is_personal(self) -> bool:
        return self.kind == self.Kind.PERSONAL

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.uses_count, 0)


class InvitationUse(models.Model):
    """One attempt to accept a link: who, when, and what came of it. Provenance of every join."""

    class Result(models.TextChoices):
        JOINED = "joined", "присоединился"
        REQUESTED = "requested", "подал заявку"
        # What became of a request: an approved one is JOINED, these two gave their place back.
        REJECTED = "rejected", "заявка отклонена"
        CLOSED = "closed", "заявка закрыта"
        ALREADY_MEMBER = "already_member", "уже участник"
        USED_UP = "used_up", "ссылка исчерпана"
        EXPIRED = "expired", "срок истёк"
        REVOKED = "revoked", "ссылка отозвана"
        PAUSED = "paused", "ссылка приостановлена"
        REFUSED = "refused", "отказано"

    # No index of their own: the indexes below lead with them (each row is written by the busiest flow there
    # is, an acceptance, and every index is maintained on every row).
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="uses", db_index=False, verbose_name="ссылка"
    )
    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name="колледж"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="кто"
    )
    result = models.CharField("результат", max_length=16, choices=Result.choices)
    membership = models.ForeignKey(
        "colleges.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="участник колледжа",
    )
    join_request = models.ForeignKey(
        "JoinRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="заявка"
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "использование ссылки"
        verbose_name_plural = "использования ссылок"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["invitation", "result", "-created_at"]),
            # Who joined through the college's links, newest first.
            models.Index(fields=["college", "-created_at", "-id"], name="invitationuse_college_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_result_display()}"


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "на рассмотрении"
        APPROVED = "approved", "одобрена"
        REJECTED = "rejected", "отклонена"
        CLOSED = "closed", "закрыта"

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="join_requests", verbose_name="колледж"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests", verbose_name="кто подал"
    )
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    group = models.ForeignKey(
        "groups.StudyGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name="учебная группа",
    )
    from_group = models.ForeignKey(
        "groups.StudyGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="сейчас в группе",
    )
    invitation = models.ForeignKey(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="join_requests",
        verbose_name="по ссылке",
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("причина отказа", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="рассмотрел",
    )
    decided_at = models.DateTimeField("рассмотрена", null=True, blank=True)
    created_at = models.DateTimeField("подана", auto_now_add=True)

    class Meta:
        verbose_name = "заявка на вступление"
        verbose_name_plural = "заявки на вступление"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "college", "role"], condition=Q(status="pending"), name="one_pending_join_request"
            ),
        ]
        indexes = [
            models.Index(fields=["college", "status", "role"]),
            # The college's queue, oldest first.
            models.Index(fields=["college", "status", "created_at", "id"], name="joinrequest_college_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    @property
    def is_transfer(self) -> bool:
        return self.from_group_id is not None


class BulkDispatch(models.Model):
    """A batch of personal invitations sent by SMS or e-mail through Celery."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "отправляется"
        DONE = "done", "завершена"

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    group = models.ForeignKey(
        "groups.StudyGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="учебная группа",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="создал"
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("получателей", default=0)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    # When the batches were last handed to the workers: a dispatch still sending long after is queued again.
    queued_at = models.DateTimeField("поставлена в очередь", null=True, blank=True)

    class Meta:
        verbose_name = "рассылка приглашений"
        verbose_name_plural = "рассылки приглашений"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Рассылка № {self.pk} ({self.total})"
