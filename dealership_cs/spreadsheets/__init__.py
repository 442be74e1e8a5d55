"""The one spreadsheet reader behind every import (customer ledger, OMD invoices, scores).

    reader = open_table(upload, file_name=upload.name, columns=COLUMNS)
    for row in reader.rows():
        ...  # row.number (as Excel shows it), row.values by canonical key, row.raw

`open_table` refuses hostile or unreadable files before any parsing (empty, too large, content
not matching the extension, ZIP bombs, DTDs in XML parts, password-protected workbooks,
unrecognised CSV encodings), finds the header row below any title rows by the columns'
aliases, and raises `SpreadsheetRefused` with a translated message naming the file when it
cannot. Reading .xlsx/.xls uses python-calamine; .csv may be UTF-8 (with or without BOM) or
GB18030, comma-, tab- or semicolon-separated, and is read as a stream (`csvtext`): never decoded
whole, the encoding recognised from a bounded sample, a line longer than 64 KiB refused.

`open_tables` does the same for a workbook holding several tables, each on its own sheet and
recognised by its header (a CSV holds one): it returns a reader per table found.
"""

from .files import FileSource, fingerprint, rewindable
from .guards import ACCEPTED_EXTENSIONS, DEFAULT_MAX_BYTES
from .headers import HEADER_SCAN_ROWS, TOTALS_LABELS, is_totals_label, normalise_header
from .model import Column, Row, RowError, SpreadsheetRefused, cell_text, format_size
from .readers import SheetReader, default_max_bytes, open_table, open_tables

__all__ = [
    "FileSource",
    "fingerprint",
    "rewindable",
    "ACCEPTED_EXTENSIONS",
    "DEFAULT_MAX_BYTES",
    "HEADER_SCAN_ROWS",
    "TOTALS_LABELS",
    "Column",
    "Row",
    "RowError",
    "SheetReader",
    "SpreadsheetRefused",
    "cell_text",
    "default_max_bytes",
    "format_size",
    "is_totals_label",
    "normalise_header",
    "open_table",
    "open_tables",
]
