"""What an uploaded file is, read from its content: the one check every app's uploads go through.

``detect_file`` recognises a document, image or video by its first bytes and
then has ``core.containers`` read the rest, which must be what those bytes
promise (no macros, no hidden web page, no zip bomb). Materials, chat
attachments and support's screenshots call it; each passes its own size limits per kind, and a caller
that takes fewer formats than documents, images and videos says which (``Accepted``).
``clean_original_name`` makes the name a download is offered under.
"""

import re
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

from core import containers

DOCUMENT = "document"
VIDEO = "video"
KIND_LABELS = {DOCUMENT: "документ", VIDEO: "видео"}

ALLOWED_FORMATS_TEXT = (
    "документы PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, ODT, ODS, ODP, RTF, изображения JPEG и PNG; "
    "видео MP4, WEBM, MKV, MOV, AVI"
)
UNKNOWN_TYPE_MESSAGE = "Файл «{name}» не принят: по содержимому это не документ и не видео. Можно загрузить: {allowed}."
MACROS_MESSAGE = (
    "Файл «{name}» не принят: в нём есть макросы или элементы ActiveX, а такие документы загружать нельзя. "
    "Сохраните его без макросов (например, в формате DOCX, XLSX или PPTX) и загрузите снова."
)
EXTERNAL_MESSAGE = (
    "Файл «{name}» не принят: при открытии он подгружает шаблон или объект из интернета. "
    "Сохраните документ заново без внешних шаблонов и связанных объектов."
)
ENCRYPTED_MESSAGE = "Файл «{name}» не принят: он защищён паролем. Снимите пароль и загрузите файл снова."
BOMB_MESSAGE = (
    "Файл «{name}» не принят: после распаковки он занял бы несравнимо больше места, чем сам файл "
    "(больше {limit}), — так устроены архивы-«бомбы», а не документы."
)
DAMAGED_MESSAGE = (
    "Файл «{name}» не принят: начало у него как у {what}, но дальше содержимое этому формату не соответствует "
    "(файл повреждён или подделан). Откройте его на компьютере, сохраните заново и загрузите ещё раз."
)
MARKUP_MESSAGE = (
    "Файл «{name}» не принят: внутри {what} спрятан код веб-страницы (HTML или скрипт). "
    "Загрузите обычный файл без вложенного кода."
)
TOO_BIG_MESSAGE = "Файл «{name}» слишком большой ({size}). Для типа «{kind}» можно загрузить не больше {limit}."
EMPTY_FILE_MESSAGE = "Файл «{name}» пустой."

# By the first bytes: (kind, content type, extension, «как у …» / «внутри …» in the messages).
_PDF = (DOCUMENT, "application/pdf", "pdf", "документа PDF")
_RTF = (DOCUMENT, "application/rtf", "rtf", "документа RTF")
_OLE_WHAT = "документа Microsoft Office 97–2003"
_ZIP_WHAT = "документа Office или OpenDocument"
_IMAGE_TYPES = {
    "image/jpeg": ("jpg", "JPEG", "изображения JPEG"),
    "image/png": ("png", "PNG", "изображения PNG"),
    "image/webp": ("webp", "WEBP", "изображения WebP"),
}
# Every accepted video container has a structure check; formats without one (MPEG, WMV, FLV…) are not accepted.
_VIDEO_TYPES = {
    "video/mp4": ("mp4", containers.check_iso_bmff, "видео MP4"),
    "video/x-m4v": ("m4v", containers.check_iso_bmff, "видео MP4"),
    "video/quicktime": ("mov", containers.check_iso_bmff, "видео MOV"),
    "video/webm": ("webm", containers.check_matroska, "видео WEBM"),
    "video/x-matroska": ("mkv", containers.check_matroska, "видео MKV"),
    "video/x-msvideo": ("avi", containers.check_avi, "видео AVI"),
}


@dataclass(frozen=True)
class Accepted:
    """The formats a caller takes (content types) and what a file of any other is told (``{name}``)."""

    content_types: frozenset[str]
    refused_message: str


# What materials and chats take: every format above but WebP, which only screenshots need (support).
DEFAULT_ACCEPTED = Accepted(
    frozenset({_PDF[1], _RTF[1], "image/jpeg", "image/png", *_VIDEO_TYPES} | containers.OFFICE_TYPES),
    UNKNOWN_TYPE_MESSAGE.replace("{allowed}", ALLOWED_FORMATS_TEXT),
)


@dataclass(frozen=True)
class DetectedFile:
    kind: str  # DOCUMENT or VIDEO
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


def detect_file(
    uploaded, *, name: str, max_bytes: dict[str, int] | None = None, accept: Accepted | None = None
) -> DetectedFile:
    """The type of ``uploaded`` read from its content; ValidationError when it is none ``accept`` takes.

    The first bytes name the format: one the caller does not take is refused
    before anything else is read, and the size limit of its kind is checked
    next; then ``containers`` reads the rest, which must be what those first
    bytes promise — with no macros, no hidden web page, no zip bomb.
    """
    accepted = accept or DEFAULT_ACCEPTED
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if not head:
        raise ValidationError(EMPTY_FILE_MESSAGE.format(name=name), code="empty")
    size = uploaded.size
    kind = DOCUMENT
    what = ""
    try:
        if head.startswith(b"%PDF-"):
            kind, content_type, extension, what = _PDF
            _take(accepted, {content_type})
            check_size(size=size, kind=kind, name=name, max_bytes=max_bytes)
            containers.check_pdf(uploaded, size)
        elif head.startswith(b"{\\rtf"):
            kind, content_type, extension, what = _RTF
            _take(accepted, {content_type})
            check_size(size=size, kind=kind, name=name, max_bytes=max_bytes)
            containers.check_rtf(uploaded, size)
        elif head.startswith(containers.OLE_MAGIC):
            what = _OLE_WHAT
            _take(accepted, containers.OFFICE_TYPES)
            check_size(size=size, kind=kind, name=name, max_bytes=max_bytes)
            extension, content_type = containers.check_ole(uploaded)
        elif head.startswith(b"PK\x03\x04"):
            what = _ZIP_WHAT
            _take(accepted, containers.OFFICE_TYPES)
            check_size(size=size, kind=kind, name=name, max_bytes=max_bytes)
            extension, content_type = _check_zip(uploaded)
        else:
            guess = filetype.guess(head)
            content_type = guess.mime if guess is not None else ""
            _take(accepted, {content_type})
            if content_type in _IMAGE_TYPES:
                extension, image_format, what = _IMAGE_TYPES[content_type]
                check_size(size=size, kind=kind, name=name, max_bytes=max_bytes)
                containers.check_image(uploaded, fmt=image_format)
            elif content_type in _VIDEO_TYPES:
                kind = VIDEO
                extension, check_container, what = _VIDEO_TYPES[content_type]
                check_size(size=size, kind=kind, name=name, max_bytes=max_bytes)
                check_container(uploaded, size)
            else:
                raise containers.Refused("unknown_type")
        _take(accepted, {content_type})  # an Office file's exact type is known only once its container is read
    except containers.Refused as refusal:
        raise _refusal(refusal.code, name=name, what=what, accepted=accepted) from None
    finally:
        uploaded.seek(0)
    return DetectedFile(kind, content_type, extension)


def _take(accepted: Accepted, content_types: set[str] | frozenset[str]) -> None:
    if accepted.content_types.isdisjoint(content_types):
        raise containers.Refused("unknown_type")


def _refusal(code: str, *, name: str, what: str, accepted: Accepted) -> ValidationError:
    if code == "unknown_type":
        message = accepted.refused_message.format(name=name)
    elif code == "bomb":
        message = BOMB_MESSAGE.format(name=name, limit=human_size(settings.MATERIALS_MAX_UNPACKED_BYTES))
    else:
        template = {
            "macros": MACROS_MESSAGE,
            "external": EXTERNAL_MESSAGE,
            "encrypted": ENCRYPTED_MESSAGE,
            "markup": MARKUP_MESSAGE,
        }.get(code, DAMAGED_MESSAGE)
        message = template.format(name=name, what=what)
    return ValidationError(message, code=code)


def _check_zip(uploaded) -> tuple[str, str]:
    """Office files are ZIP containers: OOXML has [Content_Types].xml, ODF a ``mimetype`` entry."""
    try:
        with zipfile.ZipFile(uploaded) as archive:
            containers.check_zip_size(archive)
            names = archive.namelist()
            if "mimetype" in names:
                return containers.check_odf(archive, names)
            if "[Content_Types].xml" in names:
                return containers.check_ooxml(archive, names)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a damaged deflate stream
        RuntimeError,  # an entry protected by a password
        NotImplementedError,  # a compression method Office never uses
        KeyError,
        OSError,
        EOFError,
        ValueError,
    ):
        raise containers.Refused("damaged") from None
    raise containers.Refused("unknown_type")


def check_size(*, size: int, kind: str, name: str, max_bytes: dict[str, int] | None = None) -> None:
    """Refuse a file over the limit of its kind (``max_bytes``, materials' limits when not given)."""
    limit = (max_bytes or settings.MATERIALS_MAX_BYTES)[kind]
    if size > limit:
        raise ValidationError(
            TOO_BIG_MESSAGE.format(name=name, size=human_size(size), kind=KIND_LABELS[kind], limit=human_size(limit)),
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


def random_stored_name(college_id: int, filename: str) -> str:
    """Where an uploaded file is stored: a random name under its college's folder, keeping only a plain
    extension, so nothing of the uploader's file name reaches the storage path (each app's ``upload_to``)."""
    suffix = PurePosixPath(filename).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8:
        suffix = ""
    return f"{college_id}/{uuid.uuid4().hex}{suffix}"
