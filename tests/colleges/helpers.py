"""Shared input for the colleges tests: files by their first bytes, a valid application."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import _inn, _ogrn

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(data: bytes = PDF_BYTES, name: str = "prikaz.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def application_data(n: int = 1, **overrides) -> dict:
    """Everything a college types into the public form (phones as people type them)."""
    data = {
        "full_name": f"ГБПОУ «Тверской колледж сервиса № {n}»",
        "short_name": f"Тверской колледж сервиса № {n}",
        "inn": _inn(900000 + n),
        "ogrn": _ogrn(900000 + n),
        "region": "Тверская область",
        "address": "г. Тверь, ул. Трёхсвятская, д. 5",
        "time_zone": "Europe/Moscow",
        "email": f"college-apply{n}@example.org",
        "phone": "",
        "website": "",
        "admin_last_name": "Соколова",
        "admin_first_name": "Елена",
        "admin_patronymic": "Викторовна",
        "admin_phone": "8 (912) 345-67-8" + str(n % 10),
        "admin_email": "",
        "order_number": f"{n}-од",
        "order_date": datetime.date(2026, 9, 1),
    }
    data.update(overrides)
    return data
