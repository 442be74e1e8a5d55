"""A download built while answering one request and fetched by a later one: an import's rejected rows.

The ledger and result-sheet imports run inside the upload request, and the page showing their
result links to the rejected rows as a workbook. That workbook is built once and kept as a file
under `DATA_DIR/held-downloads/` (the directory every web process and worker already shares for
uploads), named by its owner and a random token so that nobody else can fetch it, and removed
after `HOLD_SECONDS` by the next upload that keeps one.

    token = hold_download(user=request.user, data=workbook, stem="成交档案导入错误行-台账")
    held = held_download(user=request.user, token=token)   # (data, stem), or None when gone
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

HOLD_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")

# What the page says when a held download is asked for once it is gone.
EXPIRED_DOWNLOAD = _("That download is kept for a day only and has been removed: upload the file again.")


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "held-downloads"


def _prune(folder: Path) -> None:
    cutoff = time.time() - HOLD_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # another request removed it first


def hold_download(*, user, data: bytes, stem: str) -> str:
    """Keep `data` (an .xlsx) for `user` for a day under the download name `stem`; return its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _prune(folder)
    token = secrets.token_urlsafe(18)  # 24 URL-safe characters
    base = folder / f"{int(user.pk)}-{token}"
    base.with_suffix(".name").write_text(stem, encoding="utf-8")
    partial = base.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, base.with_suffix(".xlsx"))  # a download never sees half a file
    return token


def held_download(*, user, token: str) -> tuple[bytes, str] | None:
    """The held (data, stem) if `token` names one that `user` holds; None when unknown, gone or another's."""
    if not _TOKEN.fullmatch(token or "") or user.pk is None:
        return None
    base = _folder() / f"{int(user.pk)}-{token}"
    try:
        if time.time() - base.with_suffix(".xlsx").stat().st_mtime > HOLD_SECONDS:
            return None
        return base.with_suffix(".xlsx").read_bytes(), base.with_suffix(".name").read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
