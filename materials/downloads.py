"""The response that hands a stored material file to the person allowed to have it (``core.downloads``,
with the materials storage's ``MATERIALS_ACCEL_REDIRECT``). The caller has checked the permission."""

from django.conf import settings
from django.http import HttpResponse

from core.downloads import private_file_response


def material_file_response(file, *, as_attachment: bool = True) -> HttpResponse:
    return private_file_response(
        file.file,
        name=file.original_name,
        content_type=file.content_type,
        accel_prefix=settings.MATERIALS_ACCEL_REDIRECT,
        as_attachment=as_attachment,
    )
