"""Celery tasks of the materials app: thin, retried, safe to run twice."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.tasks import TRANSIENT_ERRORS, RetryingTask

MAX_RETRIES = 5


@shared_task(name="materials.tasks.material_notify", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def material_notify(self, material_id: int) -> int:
    from materials.services import material_notify as notify

    return notify(material_id=material_id)


@shared_task(name="materials.tasks.material_notify_due", base=RetryingTask)
def material_notify_due() -> int:
    """Beat: notify scheduled publications whose time has come (each claimed once by ``material_notify``)."""
    from materials.models import Material

    due = Material.objects.filter(
        status=Material.Status.PUBLISHED, notified_at__isnull=True, published_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:500]
    for material_id in due:
        material_notify.delay(material_id)
    return len(due)


@shared_task(name="materials.tasks.material_uploads_discard_stale", base=RetryingTask)
def material_uploads_discard_stale() -> int:
    """Beat: remove uploads left on the upload page without saving the material."""
    from materials.services import material_uploads_discard_stale as discard

    return discard()


@shared_task(
    name="materials.tasks.material_email_send",
    base=RetryingTask,
    bind=True,
    autoretry_for=(*TRANSIENT_ERRORS, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=10,
    max_retries=MAX_RETRIES,
)
def material_email_send(self, material_id: int, user_id: int) -> int | None:
    """One e-mail about a publication to one person, at most once (keyed by material and person)."""
    from accounts.models import User
    from materials.models import Material
    from notifications.models import Message
    from notifications.services import notification_send

    material = Material.objects.select_related("college", "author").filter(pk=material_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if material is None or user is None or not user.email or not material.is_published:
        return None
    message = notification_send(
        channel=Message.Channel.EMAIL,
        recipient=user.email,
        template="material_published",
        context={
            "title": material.title,
            "kind": material.get_kind_display(),
            "college": material.college.short_name,
            "author": material.author.short_name if material.author else "",
            "url": settings.SITE_URL.rstrip("/") + reverse("materials:detail", kwargs={"pk": material.pk}),
        },
        college=material.college,
        idempotency_key=f"material-published:{material_id}:{user_id}",
    )
    return message.pk if message else None
