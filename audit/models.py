from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change of college data: who, where, what, before and after. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="кто"
    )
    college = models.ForeignKey(
        "colleges.College",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        db_index=False,  # the (college, -created_at) index below leads with it
        verbose_name="колледж",
    )
    action = models.CharField("действие", max_length=64)
    target_type = models.CharField("тип объекта", max_length=64, blank=True)
    target_id = models.CharField("id объекта", max_length=64, blank=True)
    target_repr = models.CharField("объект", max_length=255, blank=True)
    before = models.JSONField("до", null=True, blank=True)
    after = models.JSONField("после", null=True, blank=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "событие журнала"
        verbose_name_plural = "журнал действий"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["college", "-created_at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"
