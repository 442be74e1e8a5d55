"""Importing a dealership's closed-deal archive ledger (成交客户档案台账) from Excel or CSV.

Before this system the department kept its closed deals in spreadsheets, one row per car sold:
the buyer, the car and the invoice. `ledger_import` loads such a file (customers, vehicles and
archives, upserted by VIN) in one transaction, with every written row tied to one
`ImportBatch` and recorded in the history.

    result = ledger_import(source=upload, file_name=upload.name, by=request.user)
    result.created, result.updated, result.unchanged, result.rejected, result.errors
    result.error_workbook()   # the rejected rows as read, to fix and upload again (.xlsx bytes)

Reading goes through `dealership_cs.spreadsheets.open_table`: a file that cannot be read
raises `SpreadsheetRefused` and stores nothing. A bad value rejects only its row.
`LEDGER_COLUMNS` lists the expected headers (for the upload page and its template file).
"""

from customers.ledger.rows import LEDGER_COLUMNS, LedgerRow
from customers.ledger.service import CHUNK_ROWS, LedgerResult, error_workbook_name, ledger_import

__all__ = ["CHUNK_ROWS", "LEDGER_COLUMNS", "LedgerResult", "LedgerRow", "error_workbook_name", "ledger_import"]
