import pytest
from django.core.exceptions import ValidationError

from materials import validators
from materials.models import Kind
from tests.materials.conftest import DOCX_BYTES, EXE_BYTES, MP4_BYTES, PDF_BYTES, upload
from tests.materials.files import odf_bytes, ooxml_bytes, zip_bytes


def test_pdf_is_recognised_by_content_whatever_its_name():
    detected = validators.detect_file(upload("scan.bin", PDF_BYTES), name="scan.bin")

    assert (detected.kind, detected.content_type, detected.extension) == (Kind.DOCUMENT, "application/pdf", "pdf")


def test_docx_is_recognised_by_its_inner_structure():
    detected = validators.detect_file(upload("plan.docx", DOCX_BYTES), name="plan.docx")

    assert detected.extension == "docx"
    assert detected.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (ooxml_bytes("xlsx"), "xlsx"),
        (ooxml_bytes("pptx"), "pptx"),
        (odf_bytes("application/vnd.oasis.opendocument.text"), "odt"),
        (odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
    ],
)
def test_office_containers_are_recognised(data, extension):
    detected = validators.detect_file(upload("file", data), name="file")

    assert detected.extension == extension


def test_executable_renamed_pdf_is_refused():
    with pytest.raises(ValidationError) as exc:
        validators.detect_file(upload("Приказ.pdf", EXE_BYTES), name="Приказ.pdf")

    assert exc.value.code == "unknown_type"
    assert "«Приказ.pdf» не принят" in exc.value.messages[0]


def test_plain_zip_archive_named_docx_is_refused():
    data = zip_bytes({"virus.exe": EXE_BYTES})

    with pytest.raises(ValidationError) as exc:
        validators.detect_file(upload("plan.docx", data), name="plan.docx")

    assert exc.value.code == "unknown_type"


def test_office_document_with_macros_is_refused():
    data = ooxml_bytes("docx", parts={"word/vbaProject.bin": b"x"})

    with pytest.raises(ValidationError) as exc:
        validators.detect_file(upload("plan.docm", data), name="plan.docm")

    assert exc.value.code == "macros"


def test_mp4_is_recognised_as_video():
    detected = validators.detect_file(upload("lecture.mp4", MP4_BYTES), name="lecture.mp4")

    assert (detected.kind, detected.extension) == (Kind.VIDEO, "mp4")


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        validators.detect_file(upload("empty.pdf", b""), name="empty.pdf")

    assert exc.value.code == "empty"


def test_oversize_document_is_refused_with_the_limit_in_the_message(settings):
    settings.MATERIALS_MAX_BYTES = {"document": 50 * 1024 * 1024, "video": 500 * 1024 * 1024}

    with pytest.raises(ValidationError) as exc:
        validators.check_size(size=60 * 1024 * 1024, kind=Kind.DOCUMENT, name="Учебник.pdf")

    assert exc.value.messages == [
        "Файл «Учебник.pdf» слишком большой (60 МБ). Для типа «документ» можно загрузить не больше 50 МБ."
    ]


def test_article_html_loses_scripts_event_attributes_and_javascript_links():
    dirty = (
        '<p onclick="steal()">Тема <b>урока</b></p><script>alert(1)</script>'
        '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">ссылка</a>'
        '<a href="https://example.org/" onmouseover="x()">сайт</a>'
    )

    clean = validators.clean_article_html(dirty)

    assert "<script" not in clean and "alert" not in clean
    assert "onclick" not in clean and "onerror" not in clean and "onmouseover" not in clean
    assert "javascript:" not in clean
    assert "<b>урока</b>" in clean
    assert 'href="https://example.org/"' in clean


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("../../etc/Расписание.pdf", "pdf", "Расписание.pdf"),
        ("C:\\Users\\teacher\\План.DOCX", "docx", "План.docx"),
        ("отчёт", "pdf", "отчёт.pdf"),
        ("setup.exe", "pdf", "setup.exe.pdf"),
        ('a<b>:"c|?*.pdf', "pdf", "a_b_c_.pdf"),
        ("...", "pdf", "файл.pdf"),
    ],
)
def test_original_names_are_cleaned_and_keep_the_real_extension(name, extension, expected):
    assert validators.clean_original_name(name, extension=extension) == expected


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,hi", "example"])
def test_links_must_be_http_or_https(url):
    with pytest.raises(ValidationError):
        validators.validate_link(url)


def test_video_link_must_point_to_a_video_service():
    validators.validate_video_link("https://rutube.ru/video/abc/")

    with pytest.raises(ValidationError) as exc:
        validators.validate_video_link("https://example.org/video.mp4")

    assert exc.value.code == "video_host"
