"""Uploads are checked past their first bytes: hostile look-alikes are refused with a Russian message."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from materials import validators
from materials.models import Kind, MaterialFile
from tests.college_api import api_url
from tests.materials.conftest import PDF_BYTES, upload
from tests.materials.files import (
    HTML,
    VBA_RELATIONSHIP,
    R,
    avi_bytes,
    box,
    image_bytes,
    mp4_bytes,
    odf_bytes,
    ole_bytes,
    ooxml_bytes,
    ooxml_parts,
    ppt_bytes,
    webm_bytes,
    xls_bytes,
    zip_bomb_docx,
    zip_bytes,
)

VBA_TYPE = "application/vnd.ms-office.vbaProject"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
WORD_STREAM = b"\xec\xa5\xc1\x00" + b"\0" * 508  # the FIB of a Word 97 document begins with wIdent 0xA5EC


def detect(name: str, data: bytes):
    return validators.detect_file(upload(name, data), name=name)


def refused(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        detect(name, data)
    return exc.value


# --- Office Open XML: macros found by content types and relationships ---------


def test_docx_with_a_renamed_vba_part_wired_by_relationship_and_content_type_is_refused():
    data = ooxml_bytes(
        "docx",
        main_type=DOCM_MAIN,
        overrides={"/word/macrosX.bin": VBA_TYPE},
        part_relationships=[(VBA_RELATIONSHIP, "macrosX.bin", "")],
        parts={"word/macrosX.bin": b"\x01" * 64},
    )

    error = refused("План урока.docx", data)

    assert error.code == "macros"
    assert error.messages == [validators.MACROS_MESSAGE.format(name="План урока.docx")]
    assert "макросы" in error.messages[0]


@pytest.mark.parametrize(
    "options",
    [
        {"part_relationships": [(VBA_RELATIONSHIP, "data1.bin", "")], "parts": {"word/data1.bin": b"x"}},
        {"overrides": {"/word/data1.bin": VBA_TYPE}, "parts": {"word/data1.bin": b"x"}},
        {"main_type": DOCM_MAIN},
        {"overrides": {"/word/activeX/activeX1.xml": "application/vnd.ms-office.activeX+xml"}},
    ],
    ids=["relationship-only", "content-type-only", "macro-enabled-main-part", "activex"],
)
def test_each_sign_of_code_alone_is_enough_to_refuse_a_docx(options):
    assert refused("plan.docx", ooxml_bytes("docx", **options)).code == "macros"


def test_xlsx_with_an_excel_4_macro_sheet_is_refused():
    data = ooxml_bytes("xlsx", overrides={"/xl/macrosheets/sheet1.xml": "application/vnd.ms-excel.macrosheet+xml"})

    assert refused("Ведомость.xlsx", data).code == "macros"


def test_docx_with_an_embedded_word_97_object_holding_macros_is_refused():
    embedded = ole_bytes({"WordDocument": WORD_STREAM, "Macros": {"VBA": {"_VBA_PROJECT": b"\xcc\x61"}}})
    data = ooxml_bytes("docx", parts={"word/embeddings/oleObject1.bin": embedded})

    assert refused("plan.docx", data).code == "macros"


def test_docx_that_loads_a_template_from_the_internet_is_refused():
    relationship = (f"{R}/attachedTemplate", "https://evil.example/t.dotm", ' TargetMode="External"')

    error = refused("plan.docx", ooxml_bytes("docx", part_relationships=[relationship]))

    assert error.code == "external"
    assert "из интернета" in error.messages[0]


def test_docx_with_an_ms_msdt_link_is_refused():
    relationship = (f"{R}/oleObject", "mhtml:https://evil.example/!x-usc:https://evil.example", "")
    data = ooxml_bytes("docx", part_relationships=[(*relationship[:2], ' TargetMode="External"')])

    assert refused("plan.docx", data).code == "external"


def test_docx_with_ordinary_web_links_is_accepted():
    relationship = (f"{R}/hyperlink", "https://college.example/raspisanie", ' TargetMode="External"')

    detected = detect("plan.docx", ooxml_bytes("docx", part_relationships=[relationship]))

    assert detected.extension == "docx"


def test_docx_whose_picture_names_merely_contain_vba_is_accepted():
    data = ooxml_bytes("docx", parts={"word/media/navbar.png": image_bytes("PNG")})

    assert detect("plan.docx", data).extension == "docx"


def test_docx_with_a_damaged_compressed_part_is_refused():
    data = bytearray(ooxml_bytes("docx"))
    start = data.index(b"[Content_Types].xml") + len("[Content_Types].xml")
    data[start : start + 40] = b"\xff" * 40

    assert refused("plan.docx", bytes(data)).code == "damaged"


def test_package_without_a_main_document_is_refused():
    parts = ooxml_parts("docx")
    del parts["word/document.xml"]

    assert refused("plan.docx", zip_bytes(parts)).code == "damaged"


def test_content_types_with_a_dtd_are_refused():
    parts = ooxml_parts("docx")
    parts["[Content_Types].xml"] = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Types>&a;</Types>'

    assert refused("plan.docx", zip_bytes(parts)).code == "damaged"


# --- ZIP bombs ----------------------------------------------------------------


@pytest.mark.parametrize("unpacked_mib", [1024, 64], ids=["1MB-to-1GiB", "64KB-to-64MiB"])
def test_docx_shaped_zip_bomb_is_refused_before_unpacking(unpacked_mib):
    data = zip_bomb_docx(unpacked_mib)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/document.xml").file_size == unpacked_mib * 1024 * 1024
        if unpacked_mib <= 64:  # the small one is unpacked whole: a real archive with right checksums
            assert archive.testzip() is None
    assert len(data) < unpacked_mib * 1024 * 1024 // 500

    error = refused("plan.docx", data)

    assert error.code == "bomb"
    assert "после распаковки" in error.messages[0]


def test_zip_unpacking_past_the_limit_is_refused_whatever_the_ratio(settings):
    settings.MATERIALS_MAX_UNPACKED_BYTES = 64 * 1024
    picture = image_bytes("PNG", (200, 200))
    parts = ooxml_parts("docx", parts={f"word/media/image{i}.png": picture for i in range(200)})

    assert refused("album.docx", zip_bytes(parts)).code == "bomb"


# --- OpenDocument ---------------------------------------------------------------


def test_odt_with_basic_macros_is_refused():
    data = odf_bytes(**{"Basic/Standard/Module1.xml": b"<script:module/>"})

    assert refused("plan.odt", data).code == "macros"


def test_odt_with_a_macro_bound_to_an_event_is_refused():
    content = b'<office:document-content><script:event-listener xlink:href="vnd.sun.star.script:x"/>'

    assert refused("plan.odt", odf_bytes(**{"content.xml": content})).code == "macros"


# --- Legacy Office (OLE) ----------------------------------------------------------


def test_ole_header_followed_by_an_elf_program_is_refused():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x7fELF\x02\x01\x01" + b"\0" * 4000

    error = refused("Приказ.doc", data)

    assert error.code == "damaged"
    assert "«Приказ.doc» не принят" in error.messages[0]


def test_word_97_document_is_recognised_by_its_streams():
    detected = detect("file.bin", ole_bytes({"WordDocument": WORD_STREAM, "1Table": b"\0" * 100}))

    assert (detected.extension, detected.content_type) == ("doc", "application/msword")


def test_excel_97_workbook_named_doc_is_recognised_as_xls():
    detected = detect("Ведомость.doc", xls_bytes())

    assert detected.extension == "xls"


def test_powerpoint_97_presentation_is_recognised():
    assert detect("lecture.ppt", ppt_bytes()).extension == "ppt"


@pytest.mark.parametrize(
    "data",
    [
        ole_bytes({"WordDocument": WORD_STREAM, "Macros": {"VBA": {"dir": b"\x01", "_VBA_PROJECT": b"\xcc"}}}),
        ole_bytes({"Workbook": b"\x09\x08", "_VBA_PROJECT_CUR": {"VBA": {"dir": b"\x01"}}}),
        xls_bytes(sheet_type=0x01),
        ppt_bytes(vba=True),
    ],
    ids=["doc-vba", "xls-vba", "xls-excel4-macro-sheet", "ppt-vba"],
)
def test_legacy_office_files_with_macros_are_refused(data):
    assert refused("file.doc", data).code == "macros"


def test_ole_file_that_is_no_office_document_is_refused():
    assert refused("setup.doc", ole_bytes({"SummaryInformation": b"\0" * 64})).code == "damaged"


def test_password_protected_docx_is_refused_with_a_hint():
    data = ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\0" * 64})

    error = refused("Оценки.docx", data)

    assert error.code == "encrypted"
    assert "защищён паролем" in error.messages[0]


# --- PDF ------------------------------------------------------------------------


def test_pdf_signature_followed_by_html_is_refused():
    error = refused("Расписание.pdf", b"%PDF-1.7\n" + HTML)

    assert error.code == "damaged"
    assert "как у документа PDF" in error.messages[0]


def test_pdf_without_its_end_marker_is_refused():
    assert refused("scan.pdf", PDF_BYTES.replace(b"%%EOF", b"")).code == "damaged"


def test_pdf_with_a_binary_comment_line_is_accepted():
    data = PDF_BYTES.replace(b"%PDF-1.4\n", b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n")

    assert detect("scan.pdf", data).extension == "pdf"


# --- Images ---------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png")])
def test_real_pictures_are_accepted(fmt, extension):
    assert detect("photo", image_bytes(fmt)).extension == extension


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_picture_header_followed_by_html_is_refused(fmt):
    head = image_bytes(fmt)[:40]

    error = refused("photo.jpg", head + HTML)

    assert error.code == "damaged"
    assert "как у изображения" in error.messages[0]


def test_picture_carrying_a_web_page_is_refused():
    error = refused("photo.jpg", image_bytes("JPEG") + HTML)

    assert error.code == "markup"
    assert "код веб-страницы" in error.messages[0]


# --- Videos ---------------------------------------------------------------------


def test_mp4_header_followed_by_html_is_refused():
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + HTML

    error = refused("lecture.mp4", data)

    assert error.code == "damaged"
    assert "как у видео MP4" in error.messages[0]


def test_mp4_without_a_movie_box_is_refused():
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + box(b"mdat", b"\0" * 64)

    assert refused("lecture.mp4", data).code == "damaged"


def test_mp4_with_a_web_page_inside_its_media_is_refused():
    assert refused("lecture.mp4", mp4_bytes(media=b"\0" * 64 + HTML)).code == "markup"


@pytest.mark.parametrize(
    ("data", "extension"),
    [(webm_bytes(), "webm"), (webm_bytes(recorded_live=True), "webm"), (avi_bytes(), "avi")],
    ids=["webm", "webm-recorded-in-a-browser", "avi"],
)
def test_well_formed_videos_are_accepted(data, extension):
    detected = detect("lecture", data)

    assert (detected.kind, detected.extension) == (Kind.VIDEO, extension)


@pytest.mark.parametrize(
    "data",
    [webm_bytes()[:40] + HTML, webm_bytes() + HTML, avi_bytes()[:12] + HTML, avi_bytes() + b"JUNK" * 8],
    ids=["webm-header-then-html", "webm-then-html", "avi-header-then-html", "avi-then-junk"],
)
def test_video_headers_followed_by_something_else_are_refused(data):
    assert refused("lecture.webm", data).code in {"damaged", "markup"}


# --- Through the page, and what downloads look like --------------------------------


def test_upload_page_refuses_a_hostile_mp4_and_keeps_nothing(mw, client):
    client.force_login(mw.users["teacher"])
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + HTML

    response = client.post(reverse("materials:upload"), {"file": upload("Лекция.mp4", data)})

    assert response.status_code == 400
    assert "«Лекция.mp4» не принят" in response.json()["error"]
    assert not MaterialFile.objects.exists()


def _stage(mw, name: str, data: bytes) -> MaterialFile:
    from materials import services

    return services.material_file_stage(actor=mw.users["teacher"], college=mw.college, uploaded=upload(name, data))


@pytest.mark.parametrize(("name", "data"), [("План.pdf", PDF_BYTES), ("Фото.jpg", image_bytes("JPEG"))])
def test_documents_and_pictures_are_always_downloaded_as_attachments(mw, client, name, data):
    file = _stage(mw, name, data)
    client.force_login(mw.users["teacher"])

    response = client.get(reverse("materials:file_download", args=[file.pk]) + "?inline=1")

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_video_plays_inline_with_its_own_type_and_no_sniffing(mw, client):
    file = _stage(mw, "Лекция.mp4", mp4_bytes())
    client.force_login(mw.users["teacher"])

    response = client.get(reverse("materials:file_download", args=[file.pk]) + "?inline=1")

    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_download_is_an_attachment_without_sniffing(mw):
    from rest_framework.test import APIClient

    file = _stage(mw, "План.pdf", PDF_BYTES)
    client = APIClient()
    client.force_authenticate(mw.users["teacher"])

    response = client.get(api_url("api:material-file-download", mw.college, pk=file.pk))

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
