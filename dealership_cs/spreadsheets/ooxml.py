"""Checks on the ZIP container of an .xlsx before calamine opens it.

1. The central directory: member count, total declared size, per-member compression ratio.
2. Every member's first 64 KiB, inflated in bounded steps: no DOCTYPE / ENTITY declaration
   (Excel never writes one; it is how XML entity attacks start) and an XML root element that
   starts within that window, so nothing can hide behind a long prolog.
3. Declared sizes are written by whoever made the file. Recent calamine (its zip crate) stops
   with an error as soon as a member inflates past its declared size, which makes the checks
   in (1) binding; older releases (0.5.x) inflate to the end. `calamine_enforces_zip_sizes()`
   finds out once per process with a tiny forged workbook, and only when the installed calamine
   does not enforce them do we inflate every member completely to count the real bytes (about
   0.15 s on a 16 MB / 200,000-row export).
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import python_calamine
from django.utils.translation import gettext as _

from .model import WRONG_CONTENT, XML_DOCTYPE, ZIP_BOMB, MiB, SpreadsheetRefused, format_size
from .refusals import damaged, refuse

MAX_ZIP_MEMBERS = 5_000
MIN_UNCOMPRESSED_LIMIT = 500 * MiB
UNCOMPRESSED_PER_MAX_BYTES = 20  # everything may unpack to max(500 MB, 20 x the upload limit)
MAX_COMPRESSION_RATIO = 200  # real sheet XML deflates about 5-20:1
RATIO_CHECK_MIN_SIZE = 1 * MiB
XML_SCAN_BYTES = 64 * 1024
REQUIRED_PARTS = ("[content_types].xml", "xl/workbook.xml")

ZIP_SIGNATURE = b"PK\x03\x04"
_READ_CHUNK = 1 * MiB
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, 22 bytes we do not need, name and extra lengths
_DECLARATION = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_ROOT_ELEMENT = re.compile(rb"<[^?!]")


def uncompressed_limit(max_bytes: int) -> int:
    return max(MIN_UNCOMPRESSED_LIMIT, UNCOMPRESSED_PER_MAX_BYTES * max_bytes)


def is_workbook_archive(infos: list[zipfile.ZipInfo]) -> bool:
    names = {info.filename.casefold() for info in infos}
    return all(part in names for part in REQUIRED_PARTS)


def check_xlsx_archive(fh: BinaryIO, infos: list[zipfile.ZipInfo], file_name: str, max_bytes: int) -> None:
    """Refuse a ZIP that is not a workbook or could attack the parser; return quietly otherwise."""
    limit = uncompressed_limit(max_bytes)
    _check_directory(infos, file_name, limit)
    if not is_workbook_archive(infos):
        raise refuse(
            _(
                "“%(file)s” is not an Excel workbook: it is a ZIP archive without the workbook parts (perhaps "
                "another kind of document renamed to .xlsx)."
            )
            % {"file": file_name},
            file_name,
            WRONG_CONTENT,
        )
    _scan_members(fh, infos, file_name, limit, full=not calamine_enforces_zip_sizes())


def zip_bomb(file_name: str, detail: str) -> SpreadsheetRefused:
    return refuse(
        _("“%(file)s” was refused as a possible ZIP bomb: %(detail)s") % {"file": file_name, "detail": detail},
        file_name,
        ZIP_BOMB,
    )


def _check_directory(infos: list[zipfile.ZipInfo], file_name: str, limit: int) -> None:
    """Refuse on what the central directory declares, before inflating anything."""
    if len(infos) > MAX_ZIP_MEMBERS:
        raise zip_bomb(
            file_name,
            _("it contains %(count)s parts; a workbook has far fewer (limit %(limit)s).")
            % {"count": len(infos), "limit": MAX_ZIP_MEMBERS},
        )
    declared = sum(info.file_size for info in infos)
    if declared > limit:
        raise zip_bomb(
            file_name,
            _("it would unpack to %(size)s, more than the %(limit)s allowed.")
            % {"size": format_size(declared), "limit": format_size(limit)},
        )
    for info in infos:
        if info.file_size > RATIO_CHECK_MIN_SIZE and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size:
            raise zip_bomb(
                file_name,
                _("its part %(part)s is compressed %(ratio)s:1, far beyond any real workbook.")
                % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)},
            )
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise damaged(file_name)  # encrypted members or exotic methods: Excel writes neither


def _scan_members(fh: BinaryIO, infos: list[zipfile.ZipInfo], file_name: str, limit: int, *, full: bool) -> None:
    total = 0
    for info in infos:
        produced = 0
        head = b""
        checked = False
        for chunk in _inflate(fh, info, file_name):
            produced += len(chunk)
            if produced > info.file_size:
                raise zip_bomb(
                    file_name,
                    _("its part %(part)s unpacks to more than the size recorded for it.") % {"part": info.filename},
                )
            if total + produced > limit:
                raise zip_bomb(
                    file_name,
                    _("it would unpack to more than the %(limit)s allowed.") % {"limit": format_size(limit)},
                )
            if not checked:
                head += chunk[: XML_SCAN_BYTES - len(head)]
                if len(head) >= XML_SCAN_BYTES:
                    _check_xml_head(head, info.filename, file_name)
                    checked = True
                    if not full:
                        break
        else:
            if produced != info.file_size:
                raise damaged(file_name)
        if not checked:
            _check_xml_head(head, info.filename, file_name)
        total += produced


def _inflate(fh: BinaryIO, info: zipfile.ZipInfo, file_name: str) -> Iterator[bytes]:
    """The member's bytes in chunks of at most 1 MiB, however strongly they are compressed."""
    fh.seek(info.header_offset)
    local = fh.read(_LOCAL_HEADER.size)
    if len(local) != _LOCAL_HEADER.size:
        raise damaged(file_name)
    signature, name_len, extra_len = _LOCAL_HEADER.unpack(local)
    if signature != ZIP_SIGNATURE:
        raise damaged(file_name)
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    remaining = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while remaining > 0:
            chunk = fh.read(min(_READ_CHUNK, remaining))
            if not chunk:
                raise damaged(file_name)
            remaining -= len(chunk)
            yield chunk
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while not inflater.eof:
            data = inflater.unconsumed_tail
            if not data:
                if remaining <= 0:
                    raise damaged(file_name)
                data = fh.read(min(_READ_CHUNK, remaining))
                if not data:
                    raise damaged(file_name)
                remaining -= len(data)
            chunk = inflater.decompress(data, _READ_CHUNK)  # max_length bounds each step's output
            if chunk:
                yield chunk
    except zlib.error:
        raise damaged(file_name) from None


def _check_xml_head(head: bytes, part: str, file_name: str) -> None:
    # UTF-16 XML interleaves NULs with the ASCII markup; dropping them lets one scan cover both.
    text = head.replace(b"\x00", b"")
    if _DECLARATION.search(text):
        raise refuse(
            _(
                "“%(file)s” was refused: its part %(part)s contains a DOCTYPE or ENTITY declaration, which Excel "
                "never writes and which is used to attack XML parsers."
            )
            % {"file": file_name, "part": part},
            file_name,
            XML_DOCTYPE,
        )
    looks_like_xml = text.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<")
    if looks_like_xml and len(head) >= XML_SCAN_BYTES and not _ROOT_ELEMENT.search(text):
        raise refuse(
            _("“%(file)s” was refused: its part %(part)s has an unusually long XML prolog.")
            % {"file": file_name, "part": part},
            file_name,
            XML_DOCTYPE,
        )


# --- Does the installed calamine stop at a member's declared size? ----------------------------

_PROBE_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_PROBE_ROWS = 200


def _probe_workbook(understate: bool) -> bytes:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, _PROBE_ROWS + 1))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PROBE_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    data = bytearray(buffer.getvalue())
    if understate:
        _set_declared_size(data, "xl/worksheets/sheet1.xml", 100)
    return bytes(data)


def _set_declared_size(data: bytearray, name: str, size: int) -> None:
    """Overwrite a member's uncompressed size in its local header and central directory entry."""
    encoded = name.encode()
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, start + size_at, size)
            start += 4


def _calamine_height(data: bytes) -> int | None:
    try:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            return workbook.get_sheet_by_index(0).height
    except python_calamine.CalamineError:
        return None


@functools.cache
def calamine_enforces_zip_sizes() -> bool:
    """True when calamine refuses a member that inflates past its declared size.

    Only trusted when the same workbook, declared honestly, reads fine: if the probe itself is
    broken we answer False and the full inflate pass runs.
    """
    if _calamine_height(_probe_workbook(understate=False)) != _PROBE_ROWS:
        return False
    return _calamine_height(_probe_workbook(understate=True)) is None
