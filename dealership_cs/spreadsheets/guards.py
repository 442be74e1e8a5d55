"""Checks that refuse hostile or unreadable files before any parser sees them.

Order matters: cheap facts first (extension, size, magic bytes), then structure (CFB directory
for OLE2 files, the ZIP checks of `ooxml` for .xlsx), and only then does a parser run. Each
refusal raises `SpreadsheetRefused` with a translated message that names the file and says
what to do about it.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _

from . import cfb, ooxml
from .model import EMPTY, ENCODING, TOO_LARGE, UNSUPPORTED_TYPE, WRONG_CONTENT, MiB, SpreadsheetRefused, format_size
from .refusals import damaged, encrypted_workbook
from .refusals import refuse as _refuse

XLSX, XLS, CSV = "xlsx", "xls", "csv"
ACCEPTED_EXTENSIONS = (".xlsx", ".xls", ".csv")

DEFAULT_MAX_BYTES = 50 * MiB
HEAD_BYTES = 64 * 1024  # what the CSV binary check and the content sniffing look at

_ZIP_SIGNATURES = (ooxml.ZIP_SIGNATURE, b"PK\x05\x06")  # a member, or an empty archive


class Source:
    """A path or a binary file-like object, seen uniformly by the guards and the readers.

    File-like objects are rewound before every use; the caller keeps ownership (we never close
    them). Django's TemporaryUploadedFile exposes its path, which lets calamine read from disk.
    """

    def __init__(self, source: str | os.PathLike[str] | BinaryIO, max_bytes: int) -> None:
        self.path: str | None = None
        self._fh: BinaryIO | None = None
        if isinstance(source, str | os.PathLike):
            self.path = os.fspath(source)
            self.size = os.path.getsize(self.path)
            return
        temporary_path = getattr(source, "temporary_file_path", None)
        if callable(temporary_path):
            self.path = temporary_path()
        try:
            source.seek(0, io.SEEK_END)
            self.size = source.tell()
            source.seek(0)
            self._fh = source
        except (AttributeError, OSError, io.UnsupportedOperation):
            # Not seekable (a bare stream): buffer at most one byte over the limit, enough to
            # tell "too large" without reading an unbounded stream.
            data = source.read(max_bytes + 1)
            self.size = len(data)
            self._fh = io.BytesIO(data)

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        if self._fh is None:
            assert self.path is not None
            with open(self.path, "rb") as fh:
                yield fh
        else:
            self._fh.seek(0)
            yield self._fh

    def read_all(self) -> bytes:
        with self.open() as fh:
            return fh.read()


def extension_of(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def check_file(src: Source, file_name: str, max_bytes: int) -> str:
    """Refuse the file or return its kind ("xlsx", "xls" or "csv")."""
    ext = extension_of(file_name)
    if ext not in ACCEPTED_EXTENSIONS:
        raise _refuse(
            _("“%(file)s” is not a supported file type. Accepted types: %(types)s.")
            % {"file": file_name, "types": ", ".join(ACCEPTED_EXTENSIONS)},
            file_name,
            UNSUPPORTED_TYPE,
        )
    if src.size == 0:
        raise _refuse(_("“%(file)s” is empty (0 bytes).") % {"file": file_name}, file_name, EMPTY)
    if src.size > max_bytes:
        raise _refuse(
            _("The file “%(file)s” is %(size)s; the limit is %(limit)s.")
            % {"file": file_name, "size": format_size(src.size), "limit": format_size(max_bytes)},
            file_name,
            TOO_LARGE,
        )
    with src.open() as fh:
        head = fh.read(HEAD_BYTES)
        if head.startswith(cfb.OLE_SIGNATURE):
            return _check_ole(fh, src.size, ext, file_name)
        if head.startswith(_ZIP_SIGNATURES):
            return _check_zip(fh, ext, file_name, max_bytes)
    if ext == ".csv":
        _check_csv_head(head, file_name)
        return CSV
    raise _wrong_content(head, ext, file_name)


def _check_ole(fh: BinaryIO, size: int, ext: str, file_name: str) -> str:
    try:
        info: cfb.CfbInfo | None = cfb.read_cfb(fh, size)
    except cfb.CfbError:
        info = None
    if info is not None:
        encrypted = info.is_encrypted_ooxml or (info.is_xls and info.xls_has_filepass)
    else:
        encrypted = cfb.scan_for_encryption_markers(fh)
    if encrypted:
        raise encrypted_workbook(file_name)
    if ext == ".csv":
        raise _binary_csv(file_name, info is not None and info.is_xls)
    if info is None:
        raise damaged(file_name)
    if ext == ".xls":
        if not info.is_xls:
            raise _refuse(
                _("“%(file)s” is an Office document but not an Excel workbook.") % {"file": file_name},
                file_name,
                WRONG_CONTENT,
            )
        return XLS
    if ext == ".xlsx" and info.is_xls:
        raise _refuse(
            _(
                "“%(file)s” is an old-format Excel 97-2003 workbook (.xls) saved with an .xlsx name. Rename it "
                "to .xls, or open it in Excel and save it as .xlsx."
            )
            % {"file": file_name},
            file_name,
            WRONG_CONTENT,
        )
    raise _refuse(
        _("“%(file)s” is an Office document but not an Excel workbook.") % {"file": file_name},
        file_name,
        WRONG_CONTENT,
    )


def _check_zip(fh: BinaryIO, ext: str, file_name: str, max_bytes: int) -> str:
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        if ext == ".csv":
            raise _binary_csv(file_name, False) from None
        raise damaged(file_name) from None
    with archive:
        infos = archive.infolist()
    is_workbook = ooxml.is_workbook_archive(infos)
    if ext == ".csv":
        raise _binary_csv(file_name, is_workbook)
    if ext == ".xls":
        if is_workbook:
            raise _refuse(
                _(
                    "“%(file)s” is actually an .xlsx workbook saved with an .xls name. Rename it to .xlsx and "
                    "upload it again."
                )
                % {"file": file_name},
                file_name,
                WRONG_CONTENT,
            )
        raise _refuse(
            _("“%(file)s” is a ZIP archive, not an Excel .xls workbook.") % {"file": file_name},
            file_name,
            WRONG_CONTENT,
        )
    ooxml.check_xlsx_archive(fh, infos, file_name, max_bytes)
    return XLSX


def _check_csv_head(head: bytes, file_name: str) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(
            _(
                "“%(file)s” is saved as UTF-16 (“Unicode text”), which is not supported. Save it as “CSV UTF-8” "
                "and upload it again."
            )
            % {"file": file_name},
            file_name,
            ENCODING,
        )
    if b"\x00" in head:
        raise _binary_csv(file_name, False)


def _binary_csv(file_name: str, is_workbook: bool) -> SpreadsheetRefused:
    if is_workbook:
        message = _(
            "“%(file)s” is an Excel workbook, not a CSV file. Rename it to .xlsx or .xls, or save it from Excel as "
            "“CSV UTF-8”."
        )
    else:
        message = _("“%(file)s” is not a text CSV file (it contains binary data).")
    return _refuse(message % {"file": file_name}, file_name, WRONG_CONTENT)


def _wrong_content(head: bytes, ext: str, file_name: str) -> SpreadsheetRefused:
    sample = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith((b"<!doctype html", b"<html")) or b"<table" in sample:
        message = _(
            "“%(file)s” is a web page (HTML) saved with an Excel name, not a real workbook. Open it in Excel and "
            "save it as .xlsx."
        )
    elif b"\x00" not in head and _decodes_as_text(head):
        message = _(
            "“%(file)s” is not an Excel workbook: its content is plain text (probably CSV). Rename it to .csv, "
            "or open it in Excel and save it as .xlsx."
        )
    else:
        message = _("“%(file)s” is not a valid %(ext)s workbook: its content is in another format.")
    return _refuse(message % {"file": file_name, "ext": ext}, file_name, WRONG_CONTENT)


def _decodes_as_text(head: bytes) -> bool:
    # The head may end inside a multi-byte character; ignore a cut at the very end.
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:
                return True
    return False
