"""The response that hands a ticket's screenshot or PDF to a person allowed to have it (``core.downloads``,
with ``SUPPORT_ACCEL_REDIRECT``). The caller checks the permission first: ``permissions.can_view_attachment``.

An image may be shown in the page (``inline``: the thread's thumbnails); a PDF is always a download, so
whatever it holds never runs as this site's page. ``thumb`` asks for the image's small copy (shown inline);
an attachment with none (a PDF, an image stored before copies were made) answers with the file itself."""

from django.conf import settings
from django.http import HttpResponse

from core.downloads import private_file_response
from support import thumbnails
from support.models import TicketAttachment


def attachment_response(attachment: TicketAttachment, *, inline: bool = False, thumb: bool = False) -> HttpResponse:
    if thumb and attachment.thumbnail:
        stem = attachment.original_name.rsplit(".", 1)[0]
        return private_file_response(
            attachment.thumbnail,
            name=f"{stem}.{thumbnails.EXTENSION}",
            content_type=thumbnails.CONTENT_TYPE,
            accel_prefix=settings.SUPPORT_ACCEL_REDIRECT,
            as_attachment=False,
        )
    return private_file_response(
        attachment.file,
        name=attachment.original_name,
        content_type=attachment.content_type,
        accel_prefix=settings.SUPPORT_ACCEL_REDIRECT,
        as_attachment=not ((inline or thumb) and attachment.is_image),
    )


def attachment_response_for(request, attachment: TicketAttachment) -> HttpResponse:
    """The answer the query asks for: ``?thumb=1`` the small copy, ``?inline=1`` the image in the page."""
    params = getattr(request, "query_params", request.GET)
    return attachment_response(attachment, inline=params.get("inline") == "1", thumb=params.get("thumb") == "1")
