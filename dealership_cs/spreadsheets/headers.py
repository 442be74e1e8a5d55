"""Finding the header row among the title rows and recognising the totals row.

Exports from the manufacturer's system put titles, export times and merged banner cells above
the header, type headers with stray (often full-width) spaces, mark required columns with
asterisks, and end with a 合计 row. Matching therefore compares normalised texts: NFKC (which
folds full-width letters, digits, colons and the ideographic space), case-folded, with every
kind of whitespace removed and `*` / trailing `:` markers dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import Column, cell_text

HEADER_SCAN_ROWS = 30

# Everything str.strip() removes, plus invisible characters that Excel users paste in from web
# pages and chat apps (zero-width spaces, BOMs). Hard-coded because str.strip(chars) with an
# explicit set no longer strips default whitespace.
STRIP_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")

TOTALS_LABELS = frozenset({"合计", "总计", "小计", "合計", "總計", "小計"})
# Cheap pre-filter applied to every data row before the full normalisation.
TOTALS_FIRST_CHARS = frozenset(label[0] for label in TOTALS_LABELS)
_TOTALS_MAX_LEN = 16


def normalise_header(value: object) -> str:
    """The form in which header cells and aliases are compared."""
    text = value if isinstance(value, str) else cell_text(value)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACES.sub("", text)
    return text.lstrip("*").rstrip(":*")


def is_totals_label(text: str) -> bool:
    """True for 合计 / 总计 / 小计 in any spacing or width, with or without a trailing colon."""
    if len(text) > _TOTALS_MAX_LEN or text[0] not in TOTALS_FIRST_CHARS:
        return False
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).rstrip(":") in TOTALS_LABELS


class HeaderMatcher:
    """Maps header cells to canonical keys using the columns' aliases."""

    def __init__(self, columns: Sequence[Column]) -> None:
        if not columns:
            raise ValueError("open_table needs at least one Column")
        self.columns = list(columns)
        self.by_key = {column.key: column for column in self.columns}
        if len(self.by_key) != len(self.columns):
            raise ValueError("Column keys must be unique")
        self.required = [column.key for column in self.columns if column.required]
        self._alias_to_key: dict[str, str] = {}
        for column in self.columns:
            for alias in column.aliases:
                normalised = normalise_header(alias)
                if not normalised:
                    raise ValueError(f"Column {column.key!r} has an empty alias")
                owner = self._alias_to_key.setdefault(normalised, column.key)
                if owner != column.key:
                    raise ValueError(f"Alias {alias!r} is used by both {owner!r} and {column.key!r}")

    def match(self, cells: Iterable[object]) -> dict[str, int]:
        """Key -> column index for the cells that are known headers; the first match wins."""
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            if not isinstance(cell, str) or not cell:
                continue
            key = self._alias_to_key.get(normalise_header(cell))
            if key is not None and key not in found:
                found[key] = index
        return found

    def missing(self, found: dict[str, int]) -> list[str]:
        return [key for key in self.required if key not in found]


@dataclass
class HeaderCandidate:
    """A row examined as a possible header, with what it matched."""

    row_number: int
    cells: list[object]
    columns: dict[str, int]
    sheet_name: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.columns) and not self.missing

    @property
    def texts(self) -> list[str]:
        """The non-empty header cells as the user typed them (for messages)."""
        return [text for text in (cell_text(cell).strip(STRIP_CHARS) for cell in self.cells) if text]


def find_header(
    numbered_rows: Iterable[tuple[int, list[object]]],
    matcher: HeaderMatcher,
    *,
    sheet_name: str = "",
    limit: int = HEADER_SCAN_ROWS,
) -> tuple[HeaderCandidate | None, HeaderCandidate | None]:
    """Scan up to `limit` rows: return (header, best partial candidate).

    The header is the first row holding all required columns (and at least one known header,
    so a column set with no required column still needs some match). The best candidate, kept
    for the error message, is the row matching most keys, the earliest on ties.
    """
    best: HeaderCandidate | None = None
    for number, cells in numbered_rows:
        if number > limit:
            break
        found = matcher.match(cells)
        if not found:
            continue
        candidate = HeaderCandidate(number, list(cells), found, sheet_name, matcher.missing(found))
        if candidate.complete:
            return candidate, candidate
        if best is None or len(found) > len(best.columns):
            best = candidate
    return None, best
