"""The response that hands a ticket's screenshot or PDF to a person allowed to have it (``core.downloads``,
with ``SUPPORT_ACCEL_REDIRECT``). The caller checks the permission first: ``permissions.can_view_attachment``.

An image may be shown in the page (``inline``: the thread's thumbnails); a PDF is always a download, so
whatever it holds never runs as this site's page."""

from django.conf import settings
from django.http import HttpResponse

from core.downloads import private_file_response
from support.models import TicketAttachment


def attachment_response(attachment: TicketAttachment, *, inline: bool = False) -> HttpResponse:
    return private_file_response(
        attachment.file,
        name=attachment.original_name,
        content_type=attachment.content_type,
        accel_prefix=settings.SUPPORT_ACCEL_REDIRECT,
        as_attachment=not (inline and attachment.is_image),
    )
