"""The response that hands a privately stored file to the person allowed to have it.

Behind nginx (an accel prefix set, files on the local disk) the answer is empty with
``X-Accel-Redirect``: nginx sends the file from its internal location, so a 500 MB video holds no
app thread. Otherwise the app streams the file itself. The caller has checked the permission.
Materials and chat attachments both answer through it, each with its own storage and prefix."""

from urllib.parse import quote

from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(
    field_file, *, name: str, content_type: str, accel_prefix: str = "", as_attachment: bool = True
) -> HttpResponse:
    # A proxy storage (MaterialsStorage, ChatsStorage) forwards to the configured one: the local disk or S3.
    storage = getattr(field_file.storage, "backend", field_file.storage)
    if accel_prefix and isinstance(storage, FileSystemStorage):
        if not storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, name)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=as_attachment, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
