"""Refusal messages used by more than one module (guards, ZIP checks, readers)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .model import DAMAGED, ENCRYPTED, SpreadsheetRefused


def refuse(message: str, file_name: str, code: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(message, file_name=file_name, code=code)


def encrypted_workbook(file_name: str) -> SpreadsheetRefused:
    return refuse(
        _(
            "“%(file)s” is protected with a password, so it cannot be read. Open it in Excel, remove the "
            "password (File › Info › Protect Workbook), save it and upload it again."
        )
        % {"file": file_name},
        file_name,
        ENCRYPTED,
    )


def damaged(file_name: str) -> SpreadsheetRefused:
    return refuse(
        _(
            "“%(file)s” could not be read: the file is damaged or incomplete. Open it in Excel, save it again and "
            "upload the new file."
        )
        % {"file": file_name},
        file_name,
        DAMAGED,
    )
