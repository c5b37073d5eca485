"""The response that hands a stored material file to the person allowed to have it.

Behind nginx (MATERIALS_ACCEL_REDIRECT set, files on the local disk) the answer is empty with
``X-Accel-Redirect``: nginx sends the file from its internal location, so a 500 MB video holds no
app thread. Otherwise the app streams the file itself. The caller has checked the permission."""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def material_file_response(file, *, as_attachment: bool = True) -> HttpResponse:
    # MaterialsStorage forwards to the configured "materials" storage: the local disk or S3.
    storage = getattr(file.file.storage, "backend", file.file.storage)
    prefix = settings.MATERIALS_ACCEL_REDIRECT
    if prefix and isinstance(storage, FileSystemStorage):
        if not storage.exists(file.file.name):
            raise Http404
        response = HttpResponse(content_type=file.content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, file.original_name)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.file.name)
    else:
        try:
            handle = file.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=as_attachment, filename=file.original_name, content_type=file.content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
