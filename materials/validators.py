"""Checks of what people upload and write: file type by content, size, names, article HTML, links."""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import filetype
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from materials.models import Kind

ALLOWED_FORMATS_TEXT = (
    "документы PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, ODT, ODS, ODP, RTF, изображения JPEG и PNG; "
    "видео MP4, WEBM, MKV, MOV, AVI"
)
UNKNOWN_TYPE_MESSAGE = "Файл «{name}» не принят: по содержимому это не документ и не видео. Можно загрузить: {allowed}."
MACROS_MESSAGE = "Файл «{name}» не принят: документы с макросами загружать нельзя. Сохраните его без макросов."
TOO_BIG_MESSAGE = "Файл «{name}» слишком большой ({size}). Для типа «{kind}» можно загрузить не больше {limit}."
EMPTY_FILE_MESSAGE = "Файл «{name}» пустой."
LINK_SCHEME_MESSAGE = "Ссылка должна начинаться с http:// или https://."
VIDEO_HOST_MESSAGE = "Ссылка на видео должна вести на видеосервис: {hosts}. Или загрузите видеофайл."

_OOXML_PREFIXES = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
# Legacy Office files are OLE2 containers with no reliable inner marker of their
# own; the extension chooses among the three, any other OLE2 file is refused.
_OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
_VIDEO_TYPES = {
    "video/mp4": "mp4",
    "video/x-m4v": "m4v",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/mpeg": "mpeg",
}


@dataclass(frozen=True)
class DetectedFile:
    kind: str  # Kind.DOCUMENT or Kind.VIDEO
    content_type: str
    extension: str


def human_size(size: int) -> str:
    """«50 МБ», «1,5 ГБ», «300 КБ» — how the limit is shown in messages."""
    for unit, factor in (("ГБ", 1024**3), ("МБ", 1024**2), ("КБ", 1024)):
        if size >= factor:
            value = size / factor
            text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{text} {unit}"
    return f"{size} Б"


def detect_file(uploaded, *, name: str) -> DetectedFile:
    """The type of ``uploaded`` read from its content; ValidationError when it is neither a document nor a video."""
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if not head:
        raise ValidationError(EMPTY_FILE_MESSAGE.format(name=name), code="empty")
    unknown = ValidationError(UNKNOWN_TYPE_MESSAGE.format(name=name, allowed=ALLOWED_FORMATS_TEXT), code="unknown_type")
    if head.startswith(b"%PDF-"):
        return DetectedFile(Kind.DOCUMENT, "application/pdf", "pdf")
    if head.startswith(b"{\\rtf"):
        return DetectedFile(Kind.DOCUMENT, "application/rtf", "rtf")
    if head.startswith(_OLE_MAGIC):
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if extension in _OLE_TYPES:
            return DetectedFile(Kind.DOCUMENT, _OLE_TYPES[extension], extension)
        raise unknown
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(uploaded, name=name, unknown=unknown)
    guess = filetype.guess(head)
    if guess is not None and guess.mime in _IMAGE_TYPES:
        return DetectedFile(Kind.DOCUMENT, guess.mime, _IMAGE_TYPES[guess.mime])
    if guess is not None and guess.mime in _VIDEO_TYPES:
        return DetectedFile(Kind.VIDEO, guess.mime, _VIDEO_TYPES[guess.mime])
    raise unknown


def _detect_zip(uploaded, *, name: str, unknown: ValidationError) -> DetectedFile:
    """Office files are ZIP containers: OOXML has [Content_Types].xml, ODF a ``mimetype`` entry."""
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # Read only the first bytes: the entry could be a decompression bomb.
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                if mimetype in _ODF_TYPES:
                    return DetectedFile(Kind.DOCUMENT, mimetype, _ODF_TYPES[mimetype])
                raise unknown
            if "[Content_Types].xml" in names:
                if any(entry.lower().endswith("vbaproject.bin") for entry in names):
                    raise ValidationError(MACROS_MESSAGE.format(name=name), code="macros")
                for prefix, (extension, content_type) in _OOXML_PREFIXES.items():
                    if any(entry.startswith(prefix) for entry in names):
                        return DetectedFile(Kind.DOCUMENT, content_type, extension)
            raise unknown
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError):
        raise unknown from None
    finally:
        uploaded.seek(0)


def check_size(*, size: int, kind: str, name: str) -> None:
    limit = settings.MATERIALS_MAX_BYTES[kind]
    if size > limit:
        raise ValidationError(
            TOO_BIG_MESSAGE.format(name=name, size=human_size(size), kind=Kind(kind).label, limit=human_size(limit)),
            code="too_big",
        )


_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def clean_original_name(name: str, *, extension: str) -> str:
    """A readable download name: no folders, no control or reserved characters, the real extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if suffix.lower() != extension and not (suffix.lower() == "jpeg" and extension == "jpg"):
        stem = name
        suffix = extension
    stem = stem[:150].strip(" .") or "файл"
    return f"{stem}.{suffix.lower() if suffix else extension}"


ARTICLE_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def clean_article_html(html: str) -> str:
    """Article text without scripts, event attributes or javascript: links (only safe tags survive)."""
    return nh3.clean(
        html or "",
        tags=ARTICLE_TAGS,
        attributes={"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


_http_url = URLValidator(schemes=["http", "https"], message=LINK_SCHEME_MESSAGE)


def validate_link(url: str) -> None:
    _http_url(url)


def validate_video_link(url: str) -> None:
    validate_link(url)
    host = (urlsplit(url).hostname or "").lower()
    hosts = settings.MATERIALS_VIDEO_HOSTS
    if not any(host == allowed or host.endswith("." + allowed) for allowed in hosts):
        raise ValidationError(VIDEO_HOST_MESSAGE.format(hosts=", ".join(hosts)), code="video_host")
