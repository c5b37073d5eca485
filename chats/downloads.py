"""The response that hands a chat attachment to a member allowed to have it (``core.downloads``, with
``CHATS_ACCEL_REDIRECT``). The caller checks the permission first: ``permissions.can_view_attachment``."""

from django.conf import settings
from django.http import HttpResponse

from chats.models import MessageAttachment
from core.downloads import private_file_response


def attachment_response(attachment: MessageAttachment, *, as_attachment: bool = True) -> HttpResponse:
    return private_file_response(
        attachment.file,
        name=attachment.original_name,
        content_type=attachment.content_type,
        accel_prefix=settings.CHATS_ACCEL_REDIRECT,
        as_attachment=as_attachment,
    )
