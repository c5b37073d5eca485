"""A decompression-bomb check for ZIP containers, read from the directory before anything is unpacked.

Shared by the apps that open uploaded ZIP-based files: ``materials`` (documents) and
``movement`` (XLSX rosters), each with its own limits.
"""

import zipfile

MAX_ENTRIES = 20_000
# The ratio cap applies to entries and archives that unpack to more than this: deflate reaches ~1000:1
# on a run of zeros, while a small XML part of a real document may well be packed tighter than the cap.
RATIO_MIN_ENTRY_BYTES = 4 * 1024 * 1024


def zip_is_too_large(archive: zipfile.ZipFile, *, max_unpacked: int, max_ratio: int) -> bool:
    """Whether the sizes declared in the ZIP directory exceed the caps (reading stops at the declared size)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        return True
    unpacked = packed = 0
    for info in infos:
        unpacked += info.file_size
        packed += info.compress_size
        if info.file_size > RATIO_MIN_ENTRY_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            return True
    if unpacked > max_unpacked:
        return True
    return unpacked > RATIO_MIN_ENTRY_BYTES and unpacked > max_ratio * max(packed, 1)
