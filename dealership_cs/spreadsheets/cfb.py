"""Just enough of the OLE2 Compound File Binary format to look inside before parsing.

Two questions are answered without handing the file to a parser:

* Is it an encrypted OOXML workbook? Excel saves a password-protected .xlsx as a CFB container
  holding `EncryptionInfo` and `EncryptedPackage` streams instead of a ZIP. We read the
  directory (following the FAT chain) and look for those stream names.
* Is it a BIFF (.xls) workbook, and is it encrypted? The `Workbook` (or `Book`) stream must
  exist; a FILEPASS record right after the first BOF means the workbook is encrypted (calamine
  raises only for RC4, and silently returns garbage for XOR obfuscation, so we check ourselves).

Every read is bounded by the file size and every chain walk by the sector count, so a forged
header cannot make us loop or allocate much.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ENCRYPTION_STREAMS = frozenset({"encryptioninfo", "encryptedpackage"})
WORKBOOK_STREAMS = ("workbook", "book")

_END_OF_CHAIN = 0xFFFFFFFE
_FREE_SECTOR = 0xFFFFFFFF
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_HEADER_DIFAT_ENTRIES = 109
_DIR_ENTRY_SIZE = 128
_STORAGE, _STREAM, _ROOT = 1, 2, 5

_BIFF_BOF_TYPES = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_BIFF_FILEPASS = 0x002F
_BIFF_WRITEPROTECT = 0x0086

# Fallback when the container is too damaged to walk: the directory stores names as UTF-16LE.
_ENCRYPTION_MARKERS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)


class CfbError(ValueError):
    """The container structure is not valid CFB."""


@dataclass
class CfbEntry:
    name: str
    kind: int
    start_sector: int
    size: int


@dataclass
class CfbInfo:
    entries: list[CfbEntry] = field(default_factory=list)
    workbook_head: bytes = b""  # first sector of the Workbook stream, when it lives in regular sectors

    def has(self, *names: str) -> bool:
        wanted = {name.casefold() for name in names}
        return any(entry.name.casefold() in wanted for entry in self.entries)

    @property
    def is_encrypted_ooxml(self) -> bool:
        return any(entry.name.casefold() in ENCRYPTION_STREAMS for entry in self.entries)

    @property
    def is_xls(self) -> bool:
        return self.has(*WORKBOOK_STREAMS)

    @property
    def xls_has_filepass(self) -> bool:
        return biff_has_filepass(self.workbook_head)


def read_cfb(fh: BinaryIO, size: int) -> CfbInfo:
    """Read the directory of a CFB file; raise CfbError when the structure is inconsistent."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512 or not header.startswith(OLE_SIGNATURE):
        raise CfbError("short or missing CFB header")
    major, _byte_order, shift = struct.unpack_from("<HHH", header, 26)
    if (major, shift) not in ((3, 9), (4, 12)):
        raise CfbError(f"unsupported CFB version {major}/{shift}")
    sector_size = 1 << shift
    sector_count = max(0, (size - sector_size) // sector_size)
    (num_fat, first_dir, _txn, cutoff, _mini_fat, _num_mini, first_difat, num_difat) = struct.unpack_from(
        "<IIIIIIII", header, 44
    )
    if num_fat > sector_count or num_difat > sector_count:
        raise CfbError("FAT larger than the file")

    def read_sector(sector: int) -> bytes:
        if sector >= sector_count:
            raise CfbError(f"sector {sector} outside the file")
        fh.seek((sector + 1) * sector_size)
        data = fh.read(sector_size)
        if len(data) != sector_size:
            raise CfbError("truncated sector")
        return data

    per_sector = sector_size // 4
    fat_sectors = [s for s in struct.unpack_from(f"<{_HEADER_DIFAT_ENTRIES}I", header, 76) if s <= _MAX_REGULAR_SECTOR]
    difat_sector = first_difat
    for _ in range(num_difat):
        if difat_sector > _MAX_REGULAR_SECTOR:
            break
        values = struct.unpack(f"<{per_sector}I", read_sector(difat_sector))
        fat_sectors.extend(s for s in values[:-1] if s <= _MAX_REGULAR_SECTOR)
        difat_sector = values[-1]
    fat: list[int] = []
    for sector in fat_sectors[:num_fat]:
        fat.extend(struct.unpack(f"<{per_sector}I", read_sector(sector)))

    info = CfbInfo()
    sector, seen = first_dir, set()
    while sector != _END_OF_CHAIN:
        if sector in seen or sector >= len(fat):
            raise CfbError("broken directory chain")
        seen.add(sector)
        data = read_sector(sector)
        for offset in range(0, sector_size, _DIR_ENTRY_SIZE):
            entry = data[offset : offset + _DIR_ENTRY_SIZE]
            kind = entry[66]
            if kind not in (_STORAGE, _STREAM, _ROOT):
                continue
            (name_len,) = struct.unpack_from("<H", entry, 64)
            name = entry[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            start, stream_size = struct.unpack_from("<IQ", entry, 116)
            if major == 3:
                stream_size &= 0xFFFFFFFF  # v3 files leave the high half undefined
            info.entries.append(CfbEntry(name, kind, start, stream_size))
        sector = fat[sector]

    for entry in info.entries:
        if entry.kind == _STREAM and entry.name.casefold() in WORKBOOK_STREAMS:
            # Streams under the cutoff live in the mini stream; we skip those (tiny files) and
            # let calamine's own FILEPASS error cover them.
            if entry.size >= cutoff and entry.start_sector <= _MAX_REGULAR_SECTOR:
                info.workbook_head = read_sector(entry.start_sector)[: entry.size]
            break
    return info


def biff_has_filepass(stream_head: bytes) -> bool:
    """True when a BIFF workbook stream starts BOF [WRITEPROTECT] FILEPASS (it is encrypted)."""
    if len(stream_head) < 4:
        return False
    typ, length = struct.unpack_from("<HH", stream_head, 0)
    if typ not in _BIFF_BOF_TYPES:
        return False
    pos = 4 + length
    for _ in range(3):
        if pos + 4 > len(stream_head):
            return False
        typ, length = struct.unpack_from("<HH", stream_head, pos)
        if typ == _BIFF_FILEPASS:
            return True
        if typ != _BIFF_WRITEPROTECT:
            return False
        pos += 4 + length
    return False


def scan_for_encryption_markers(fh: BinaryIO, chunk_size: int = 1 << 20) -> bool:
    """Fallback for containers `read_cfb` cannot walk: look for the stream names' bytes."""
    fh.seek(0)
    overlap = max(len(marker) for marker in _ENCRYPTION_MARKERS) - 1
    tail = b""
    while chunk := fh.read(chunk_size):
        window = tail + chunk
        if any(marker in window for marker in _ENCRYPTION_MARKERS):
            return True
        tail = window[-overlap:]
    return False
