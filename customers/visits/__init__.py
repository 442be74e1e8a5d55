"""Importing service visits (repair orders, 工单) from the dealer management system's Excel or CSV export.

Service visits come from the workshop's DMS, not only from the visit form. `visit_import` loads
an export (visits upserted by RO number, with the cars, customers and service advisors they name)
in one transaction, with every written row tied to one `ImportBatch` and recorded in the history.

    result = visit_import(source=upload, file_name=upload.name, by=request.user)
    result.created, result.updated, result.unchanged, result.rejected, result.errors

Reading goes through `dealership_cs.spreadsheets.open_table`: a file that cannot be read raises
`SpreadsheetRefused` and stores nothing. A bad value rejects only its row;
`result.error_workbook()` hands the rejected rows back as an .xlsx to correct and upload again.
`VISIT_COLUMNS` lists the expected headers (for the upload page).
"""

from customers.visits.rows import VISIT_COLUMNS, VisitRow
from customers.visits.service import CHUNK_ROWS, VisitResult, error_workbook_name, visit_import

__all__ = ["CHUNK_ROWS", "VISIT_COLUMNS", "VisitResult", "VisitRow", "error_workbook_name", "visit_import"]
