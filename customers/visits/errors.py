"""The error workbook of a repair-order import, and where the upload page keeps it for its download.

The workbook holds each rejected row as the file had it, under the file's own header, then the
row number and what is wrong with it. Staff correct the cells in place and upload the workbook
again: the explanation columns have no header the import knows, so they are ignored.

The import runs inside the upload request, so the workbook is built there and kept as a file
under `DATA_DIR/import-errors/` for the download link: named by its owner and a random token, so
that nobody else can fetch it, and removed after a day.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from customers.visits.service import VisitResult
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled

KEEP_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_MAX_COLUMNS = 200  # a row read from a CSV can be as wide as its longest line


def visit_error_workbook(result: VisitResult) -> bytes:
    """The rejected rows as an .xlsx: the original row under the file's header, then why it was rejected."""
    book = ExportWorkbook()
    sheet = book.sheet(_("Rejected rows"), freeze="A2")
    rejected = result.rejected_rows
    width = min(max([len(result.headers), *(len(row.raw) for row in rejected)]), _MAX_COLUMNS)
    headers = (list(result.headers) + [""] * width)[:width]
    explanations = [_("Sheet row"), _("Column"), _("Value"), _("Reason")]
    sheet.append([Styled(text, bold=True) for text in [*headers, *explanations]])
    for row in rejected:
        cells = (list(row.raw) + [None] * width)[:width]
        sheet.append(
            [
                *cells,
                row.row,
                "; ".join(error.column for error in row.errors),
                "; ".join(error.value for error in row.errors),
                Styled("; ".join(error.reason for error in row.errors), fill="yellow"),
            ]
        )
    return book.to_bytes()


def error_report_name(file_name: str) -> str:
    """The download's name (without extension) after what it holds: 工单导入被拒绝的行-<the uploaded file>."""
    return f"{_('Rejected repair-order rows')}-{Path(file_name).stem}"


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "import-errors"


def _prune(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # another request pruned it first


def save_error_report(*, data: bytes, name: str, owner_id: int) -> str:
    """Keep an error workbook for its owner's download; returns the token naming it."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _prune(folder)
    token = secrets.token_urlsafe(18)
    base = folder / f"{int(owner_id)}-{token}"
    base.with_suffix(".name").write_text(name, encoding="utf-8")
    partial = base.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, base.with_suffix(".xlsx"))  # the download never sees half a file
    return token


def load_error_report(*, token: str, owner_id: int) -> tuple[bytes, str] | None:
    """The owner's error workbook and its download name, or None when it is unknown, someone else's or gone."""
    if not _TOKEN.fullmatch(token):
        return None
    base = _folder() / f"{int(owner_id)}-{token}"
    try:
        if time.time() - base.with_suffix(".xlsx").stat().st_mtime > KEEP_SECONDS:
            return None
        return base.with_suffix(".xlsx").read_bytes(), base.with_suffix(".name").read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
