"""Value types shared by the spreadsheet reader and the importers built on it.

Kept free of any parsing code so that importers (and their tests) can build `Column`s and
`RowError`s without pulling in the readers.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

MiB = 1024 * 1024

# Machine-readable reasons carried by SpreadsheetRefused.code; importers may log or branch on
# them, users only ever see the translated message.
EMPTY = "empty"
TOO_LARGE = "too_large"
UNSUPPORTED_TYPE = "unsupported_type"
WRONG_CONTENT = "wrong_content"
DAMAGED = "damaged"
ENCRYPTED = "encrypted"
ZIP_BOMB = "zip_bomb"
XML_DOCTYPE = "xml_doctype"
ENCODING = "encoding"
NO_DATA = "no_data"
NO_HEADER = "no_header"
MISSING_COLUMNS = "missing_columns"


@dataclass(frozen=True)
class Column:
    """One expected column: its canonical key and the header texts that identify it."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False
    label: str = ""

    def __post_init__(self) -> None:
        # `("发票号码")` without a trailing comma is a str, not a tuple: catch that typo here
        # instead of silently matching single characters.
        if isinstance(self.aliases, str):
            raise TypeError(f"Column {self.key!r}: aliases must be a tuple of strings, not a str")
        aliases = tuple(self.aliases)
        if not aliases:
            raise ValueError(f"Column {self.key!r} needs at least one alias")
        object.__setattr__(self, "aliases", aliases)
        if not self.label:
            object.__setattr__(self, "label", aliases[0])


class SpreadsheetRefused(Exception):
    """The whole file is refused; `message` is translated and names the file."""

    def __init__(self, message: str, *, file_name: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.file_name = file_name
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass
class RowError:
    """A problem with one cell, reported to the user with the row number Excel shows."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(slots=True)
class Row:
    """One data row: `values` by canonical key, `raw` the row's cells as read (column A first)."""

    number: int
    values: dict[str, object]
    raw: list[object]


def cell_text(value: object) -> str:
    """The text a user would recognise for a cell value (for messages and error reports).

    Integral floats lose their ".0" because calamine reads every Excel number as a float and a
    phone number shown as "13812345678.0" would confuse the reader of an error report.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def format_size(size: int) -> str:
    """Human size for messages; rounds up so a file just over the limit never looks equal to it."""
    if size >= MiB:
        number, unit = math.ceil(size * 10 / MiB) / 10, "MB"
    elif size >= 1024:
        number, unit = math.ceil(size * 10 / 1024) / 10, "KB"
    else:
        return f"{size} bytes"
    text = f"{number:.1f}".removesuffix(".0")
    return f"{text} {unit}"
