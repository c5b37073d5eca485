"""What is inside an uploaded file, beyond its first bytes.

``core.files.detect_file`` recognises a file by its first bytes, and that is easy
to fake: a PDF signature before an HTML page, a JPEG header before a script, a
DOCX whose macros are stored under another name. The checks here read the
container the first bytes promise and refuse it when the rest does not match:

- Office Open XML (DOCX, XLSX, PPTX) by its declared content types and
  relationships, not by part names; macros, ActiveX and Excel 4.0 macro sheets
  are refused however their parts are named, and so are templates or objects
  fetched from the internet when the document opens.
- OpenDocument by its ``mimetype`` entry; Basic or script libraries refused.
- Legacy Office (DOC, XLS, PPT) through ``olefile``: the streams of a real
  Word, Excel or PowerPoint file must be there, and VBA storages (and Excel 4.0
  macro sheets, PowerPoint's VBA record) are refused.
- Every ZIP container: a cap on the unpacked size, the number of entries and
  the compression ratio, read from the directory before anything is unpacked.
- PDF: an object must follow the header and ``%%EOF`` must close the file.
- JPEG and PNG must decode (Pillow); MP4/MOV, WebM/MKV and AVI must be made of
  well-formed boxes, elements or chunks to the last byte; images and videos
  must not carry HTML or script text.

Each check raises ``Refused`` with a code; ``core.files`` turns it into the
message a person reads.
"""

import io
import re
import struct
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Iterator
from posixpath import dirname, join, normpath
from urllib.parse import unquote, urlsplit

from django.conf import settings

from core.zipcheck import zip_is_too_large

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 8 * 1024 * 1024


class Refused(Exception):
    """The content does not hold what its first bytes promise (``code`` says how)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- ZIP containers: size caps ----------------------------------------------


def check_zip_size(archive: zipfile.ZipFile) -> None:
    """Refuse a decompression bomb by the sizes in the ZIP directory (reading stops at the declared size)."""
    if zip_is_too_large(
        archive,
        max_unpacked=settings.MATERIALS_MAX_UNPACKED_BYTES,
        max_ratio=settings.MATERIALS_MAX_COMPRESSION_RATIO,
    ):
        raise Refused("bomb")


def _read_entry(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    with archive.open(name) as entry:
        data = entry.read(limit + 1)
    if len(data) > limit:
        raise Refused("damaged")
    return data


_XML_PART_LIMIT = 4 * 1024 * 1024


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    data = _read_entry(archive, name, limit=_XML_PART_LIMIT)
    # Package parts never declare a DTD; one here could only be an entity expansion attack.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Refused("damaged")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise Refused("damaged") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- Office Open XML --------------------------------------------------------

_OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
# Content types and relationship types that carry code: VBA projects (whatever the
# part is called), macro-enabled main parts, ActiveX controls, Excel 4.0 macro sheets.
_CODE_MARKERS = ("macroenabled", "vba", "activex", "macrosheet")
# Relationships that make Office fetch and run something when the document opens
# (remote template injection, linked OLE objects, frames).
_EXTERNAL_LOADS = ("/attachedtemplate", "/oleobject", "/frame", "/subdocument", "/package")
_LINK_SCHEMES = {"", "http", "https", "mailto", "file", "tel", "ftp"}
# Part names Office gives code, whatever folder they are in (a check on top of the declared types).
_CODE_PART_NAMES = ("vbaproject", "vbadata", "/activex", "macrosheets/")


def _carries_code(value: str) -> bool:
    value = value.lower()
    return any(marker in value for marker in _CODE_MARKERS)


def check_ooxml(archive: zipfile.ZipFile, names: list[str]) -> tuple[str, str]:
    """(extension, content type) of an Office Open XML package; Refused when it carries code or is not one."""
    types = _xml(archive, "[Content_Types].xml")
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for item in types:
        tag = _local(item.tag)
        if tag == "Default":
            defaults[item.get("Extension", "").lower()] = item.get("ContentType", "")
        elif tag == "Override":
            overrides[item.get("PartName", "").lstrip("/").lower()] = item.get("ContentType", "")
    if any(_carries_code(content_type) for content_type in (*defaults.values(), *overrides.values())):
        raise Refused("macros")
    if any(marker in f"/{name.lower()}" for name in names for marker in _CODE_PART_NAMES):
        raise Refused("macros")

    main_part = ""
    for rels in (name for name in names if name.lower().endswith(".rels")):
        base = dirname(dirname(rels))  # word/_rels/document.xml.rels → word
        for relationship in _xml(archive, rels):
            kind = relationship.get("Type", "").lower()
            target = relationship.get("Target", "")
            if _carries_code(kind):
                raise Refused("macros")
            if relationship.get("TargetMode", "").lower() == "external":
                scheme = urlsplit(target.strip()).scheme.lower()
                if kind.endswith(_EXTERNAL_LOADS) or (len(scheme) > 1 and scheme not in _LINK_SCHEMES):
                    raise Refused("external")
                continue
            if rels == "_rels/.rels" and kind.endswith("/officedocument"):
                main_part = _resolve(base, target)

    names_lower = {name.lower() for name in names}
    if not main_part or main_part.lower() not in names_lower:
        raise Refused("damaged")
    main_type = overrides.get(main_part.lower()) or defaults.get(main_part.rsplit(".", 1)[-1].lower(), "")
    for prefix, detected in _OOXML_MAIN_TYPES.items():
        if main_type.startswith(prefix) and main_type.endswith(".main+xml"):
            _check_embedded_ole(archive)
            return detected
    raise Refused("damaged")


def _resolve(base: str, target: str) -> str:
    target = unquote(target)
    path = target.lstrip("/") if target.startswith("/") else join(base, target)
    return normpath(path).lstrip("/")


def _check_embedded_ole(archive: zipfile.ZipFile) -> None:
    """Embedded Word or Excel 97–2003 objects are OLE files with macros of their own."""
    budget = settings.MATERIALS_MAX_UNPACKED_BYTES
    for info in archive.infolist():
        if info.is_dir() or info.file_size < len(OLE_MAGIC):
            continue
        with archive.open(info) as entry:
            if entry.read(len(OLE_MAGIC)) != OLE_MAGIC:
                continue
        budget -= info.file_size
        if budget < 0:
            raise Refused("bomb")
        ole = _open_ole(io.BytesIO(_read_entry(archive, info.filename, limit=info.file_size)))
        try:
            if _ole_has_vba(ole):
                raise Refused("macros")
        finally:
            ole.close()


# --- OpenDocument -----------------------------------------------------------

_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_ODF_SCRIPT_MARKERS = (b"vnd.sun.star.script:", b"macro://", b"script:event-listener")


def check_odf(archive: zipfile.ZipFile, names: list[str]) -> tuple[str, str]:
    mimetype = _read_entry(archive, "mimetype", limit=200).decode("ascii", "replace").strip()
    if mimetype not in _ODF_TYPES:
        raise Refused("damaged")
    if "META-INF/manifest.xml" not in names or "content.xml" not in names:
        raise Refused("damaged")
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise Refused("macros")
    for part in ("content.xml", "styles.xml"):
        if part not in names:
            continue
        with archive.open(part) as entry:
            if _contains_any(entry, _ODF_SCRIPT_MARKERS):
                raise Refused("macros")
    return _ODF_TYPES[mimetype], mimetype


# --- Legacy Office (OLE2 compound files) ------------------------------------

_OLE_FORMATS = (
    ("worddocument", "doc", "application/msword"),
    ("workbook", "xls", "application/vnd.ms-excel"),
    ("book", "xls", "application/vnd.ms-excel"),
    ("powerpoint document", "ppt", "application/vnd.ms-powerpoint"),
)
# Where VBA lives: Word «Macros/VBA», Excel «_VBA_PROJECT_CUR/VBA», any «VBA» storage with «_VBA_PROJECT».
_VBA_STORAGES = {"macros", "_vba_project_cur", "vba", "_vba_project"}


def _open_ole(handle):
    import olefile

    try:
        # DEFECT_INCORRECT: olefile's choice for security checks, malformed structures are errors.
        return olefile.OleFileIO(handle, raise_defects=olefile.DEFECT_INCORRECT)
    except (OSError, ValueError, TypeError, IndexError, KeyError, struct.error, EOFError):
        raise Refused("damaged") from None


def _ole_has_vba(ole) -> bool:
    entries = ole.listdir(streams=True, storages=True)
    return any(part.lower() in _VBA_STORAGES for entry in entries for part in entry)


def check_ole(handle) -> tuple[str, str]:
    """(extension, content type) of a Word, Excel or PowerPoint 97–2003 file; Refused when it has macros."""
    ole = _open_ole(handle)
    try:
        top = {entry[0].lower() for entry in ole.listdir(streams=True, storages=False) if len(entry) == 1}
        if "encryptedpackage" in top or "encryptioninfo" in top:
            raise Refused("encrypted")
        found = next(((stream, ext, ctype) for stream, ext, ctype in _OLE_FORMATS if stream in top), None)
        if found is None:
            raise Refused("damaged")
        stream, extension, content_type = found
        if _ole_has_vba(ole):
            raise Refused("macros")
        try:
            data = ole.openstream(stream).read()
        except (OSError, ValueError, IndexError, struct.error):
            raise Refused("damaged") from None
        if extension == "xls" and _xls_has_macro_sheet(data):
            raise Refused("macros")
        if extension == "ppt" and _ppt_has_vba(data):
            raise Refused("macros")
        return extension, content_type
    finally:
        ole.close()


def _xls_has_macro_sheet(data: bytes) -> bool:
    """Excel 4.0 macro sheets and VB modules are BOUNDSHEET records (0x0085) of their own sheet type."""
    position = 0
    while position + 4 <= len(data):
        record, length = struct.unpack_from("<HH", data, position)
        body = data[position + 4 : position + 4 + length]
        if record == 0x0085 and len(body) >= 6 and body[5] in (0x01, 0x06):
            return True
        if record == 0x000A:  # EOF of the workbook globals: no sheet records after it
            return False
        position += 4 + length
    return False


def _ppt_has_vba(data: bytes) -> bool:
    """PowerPoint keeps VBA inside its document stream, behind a VBAInfo record (0x03FF) or atom (0x0400)."""
    position = 0
    while position + 8 <= len(data):
        version_instance, record, length = struct.unpack_from("<HHI", data, position)
        if record in (0x03FF, 0x0400):
            return True
        # Containers (version 0xF) hold records: step inside; atoms are skipped whole.
        position += 8 if version_instance & 0x0F == 0x0F else 8 + length
    return False


# Every Office and OpenDocument type the checks above recognise (``core.files.Accepted`` names them).
OFFICE_TYPES = frozenset(
    {content_type for _, content_type in _OOXML_MAIN_TYPES.values()}
    | set(_ODF_TYPES)
    | {content_type for _, _, content_type in _OLE_FORMATS}
)


# --- PDF and RTF ------------------------------------------------------------

_PDF_START = re.compile(rb"\A%PDF-\d\.\d[^\r\n]*[\r\n]+(?:[ \t]*%[^\r\n]*[\r\n]+)*\s*\d+\s+\d+\s+obj\b")


def check_pdf(handle, size: int) -> None:
    handle.seek(0)
    if not _PDF_START.match(handle.read(4096)):
        raise Refused("damaged")
    handle.seek(max(0, size - 4096))
    if b"%%EOF" not in handle.read(4096):
        raise Refused("damaged")


def check_rtf(handle, size: int) -> None:
    handle.seek(max(0, size - 256))
    if not handle.read(256).rstrip(b"\x00 \t\r\n").endswith(b"}"):
        raise Refused("damaged")


# --- Images -----------------------------------------------------------------

IMAGE_MAX_PIXELS = 60_000_000  # 60 megapixels: more than any camera or scanner page a college needs


def image_decode_errors() -> tuple[type[Exception], ...]:
    """What Pillow raises on a file whose data does not decode: a truncated stream, broken zlib data, a bad chunk."""
    from PIL import UnidentifiedImageError

    return (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError)


def check_image(handle, *, fmt: str) -> None:
    """The image must decode as the format its header names (Pillow)."""
    from PIL import Image

    handle.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(handle, formats=[fmt]) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise Refused("damaged")
                if fmt == "PNG":
                    image.verify()  # every chunk's checksum, up to IEND, without decoding the pixels
                else:
                    image.draft("RGB", (width // 8 or 1, height // 8 or 1))  # decode at 1/8 scale: cheap
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, *image_decode_errors()):
        raise Refused("damaged") from None
    check_no_markup(handle)


# --- Videos -----------------------------------------------------------------


def _read_exact(handle, count: int) -> bytes:
    data = handle.read(count)
    if len(data) != count:
        raise Refused("damaged")
    return data


_BOX_TYPE = re.compile(rb"[A-Za-z0-9 _\-\xa9]{4}")


def check_iso_bmff(handle, size: int) -> None:
    """MP4, M4V, MOV: top-level boxes, each with a sane type and size, end exactly at the end of the file."""
    position, seen, count = 0, [], 0
    while position < size:
        handle.seek(position)
        box_size, box_type = struct.unpack(">I4s", _read_exact(handle, 8))
        header = 8
        if box_size == 1:
            (box_size,) = struct.unpack(">Q", _read_exact(handle, 8))
            header = 16
        elif box_size == 0:
            box_size = size - position
        if box_size < header or position + box_size > size or not _BOX_TYPE.fullmatch(box_type):
            raise Refused("damaged")
        seen.append(box_type)
        position += box_size
        count += 1
        if count > 100_000:
            raise Refused("damaged")
    if not seen or seen[0] != b"ftyp" or not ({b"moov", b"moof"} & set(seen)):
        raise Refused("damaged")
    check_no_markup(handle)


_EBML_HEADER = 0x1A45DFA3
_EBML_DOCTYPE = 0x4282
_SEGMENT = 0x18538067
_CLUSTER = 0x1F43B675
_TRACKS = 0x1654AE6B
_VOID, _CRC32 = 0xEC, 0xBF
_SEGMENT_CHILDREN = {
    0x114D9B74,  # SeekHead
    0x1549A966,  # Info
    _TRACKS,
    _CLUSTER,
    0x1C53BB6B,  # Cues
    0x1941A469,  # Attachments
    0x1043A770,  # Chapters
    0x1254C367,  # Tags
    _VOID,
    _CRC32,
}
_CLUSTER_CHILDREN = {0xE7, 0xA3, 0xA0, 0xA7, 0xAB, 0x5854, 0xAF, _VOID, _CRC32}


def _vint(handle, *, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-size integer: (value, length in bytes, «unknown size» flag)."""
    first = handle.read(1)
    if not first:
        raise Refused("damaged")
    byte = first[0]
    length = 1
    while length <= 8 and not byte & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise Refused("damaged")
    rest = _read_exact(handle, length - 1)
    value = byte if keep_marker else byte & (0xFF >> length)
    for extra in rest:
        value = (value << 8) | extra
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, length, unknown


def _element(handle) -> tuple[int, int, int, bool]:
    """(id, header length, data size, unknown size) of the EBML element at the current position."""
    element_id, id_length, _ = _vint(handle, keep_marker=True)
    if id_length > 4:
        raise Refused("damaged")
    data_size, size_length, unknown = _vint(handle, keep_marker=False)
    return element_id, id_length + size_length, data_size, unknown


def check_matroska(handle, size: int) -> None:
    """WebM and MKV: the EBML header names the format, then one Segment of known elements to the end."""
    handle.seek(0)
    element_id, header, data_size, unknown = _element(handle)
    if element_id != _EBML_HEADER or unknown or header + data_size > min(size, 4096):
        raise Refused("damaged")
    ebml = _read_exact(handle, data_size)
    if b"webm" not in ebml and b"matroska" not in ebml:
        raise Refused("damaged")
    position = header + data_size
    handle.seek(position)
    element_id, header, data_size, unknown = _element(handle)
    if element_id != _SEGMENT:
        raise Refused("damaged")
    end = size if unknown else position + header + data_size
    if end > size:
        raise Refused("damaged")
    seen: set[int] = set()
    position += header
    steps = 0
    while position < end:
        handle.seek(position)
        element_id, header, data_size, unknown = _element(handle)
        steps += 1
        if element_id not in _SEGMENT_CHILDREN or steps > 2_000_000:
            raise Refused("damaged")
        seen.add(element_id)
        if not unknown:
            position += header + data_size
            if position > end:
                raise Refused("damaged")
            continue
        if element_id != _CLUSTER:
            raise Refused("damaged")
        # A live recording (a browser's MediaRecorder) writes clusters of unknown size:
        # such a cluster ends where the next top-level element begins.
        position += header
        while position < end:
            handle.seek(position)
            child_id, child_header, child_size, child_unknown = _element(handle)
            steps += 1
            if child_id in _SEGMENT_CHILDREN - {_VOID, _CRC32}:
                break
            if child_id not in _CLUSTER_CHILDREN or child_unknown or steps > 2_000_000:
                raise Refused("damaged")
            position += child_header + child_size
            if position > end:
                raise Refused("damaged")
    if _TRACKS not in seen:
        raise Refused("damaged")
    check_no_markup(handle)


def check_avi(handle, size: int) -> None:
    """AVI: RIFF chunks to the end of the file, the first one an «AVI » form with header and media lists."""
    position, forms = 0, []
    while position + 12 <= size:
        handle.seek(position)
        tag, length, form = struct.unpack("<4sI4s", _read_exact(handle, 12))
        if tag != b"RIFF" or position + 8 + length > size:
            raise Refused("damaged")
        forms.append(form)
        if len(forms) == 1:
            lists = _riff_lists(handle, start=position + 12, end=position + 8 + length)
            if not lists or lists[0] != b"hdrl" or b"movi" not in lists:
                raise Refused("damaged")
        position += 8 + length + (length & 1)
    if not forms or forms[0] != b"AVI " or any(form != b"AVIX" for form in forms[1:]) or position < size - 1:
        raise Refused("damaged")
    check_no_markup(handle)


def _riff_lists(handle, *, start: int, end: int) -> list[bytes]:
    lists, position = [], start
    while position + 8 <= end:
        handle.seek(position)
        tag, length = struct.unpack("<4sI", _read_exact(handle, 8))
        if position + 8 + length > end:
            raise Refused("damaged")
        if tag == b"LIST":
            lists.append(_read_exact(handle, 4))
        position += 8 + length + (length & 1)
    return lists


# --- Markup inside media ----------------------------------------------------

# Long enough that compressed picture or sound data practically never spells them by
# chance (a few in a million for a 500 MB video), yet any HTML page or SVG script has one.
_MARKUP = (b"<script", b"<iframe", b"<!doctype html", b"<html>", b"<html ", b"<body>", b"<body ", b"javascript:")


def check_no_markup(handle) -> None:
    """Images and videos carry no HTML: a page smuggled into one is refused wherever it sits."""
    handle.seek(0)
    if _contains_any(handle, _MARKUP):
        raise Refused("markup")


def _contains_any(handle, markers: tuple[bytes, ...]) -> bool:
    overlap = max(len(marker) for marker in markers) - 1
    tail = b""
    for chunk in _chunks(handle):
        window = (tail + chunk).lower()
        if any(marker in window for marker in markers):
            return True
        tail = window[-overlap:]
    return False


def _chunks(handle) -> Iterator[bytes]:
    while chunk := handle.read(_CHUNK):
        yield chunk
