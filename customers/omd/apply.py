"""Carrying out a classified plan: set-based writes of invoices, voids and their history.

Runs inside the caller's transaction, after `plan.classify` under the OMD upsert lock:

1. UPDATE … FROM the staged rows the plan calls `update` (only the columns the file has);
2. INSERT … SELECT the rows it calls `create`;
3. UPDATE … FROM the void pairs (the voided invoice gets voided=True and voided_by);
4. INSERT … SELECT one history row per invoice written (every one now carries batch = this
   import): '+' for the created ones (their created_at is the import's time), '~' for the
   others, each holding the state after the change, as django-simple-history records a normal
   save; the user is the importer and the reason names the import.

Every written invoice gets batch = this import and updated_at = the import's time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from customers.models import OmdInvoice
from customers.omd.plan import HISTORY, INVOICES, LIVE, STAGED, Clock, compared_fields, equal_sql

_HISTORY_OWN_FIELDS = frozenset({"history_id", "history_date", "history_change_reason", "history_type", "history_user"})
# The invoice columns the history keeps (all but those simple_history was told to exclude).
HISTORY_COLUMNS = tuple(
    field.column for field in OmdInvoice.history.model._meta.concrete_fields if field.name not in _HISTORY_OWN_FIELDS
)
REASON_MAX_LENGTH = OmdInvoice.history.model._meta.get_field("history_change_reason").max_length

INSERTED_COLUMNS = (
    "invoice_number",
    "invoice_date",
    "customer_name",
    "customer_name_key",
    "phone",
    "vin",
    "model_name",
    "amount",
    "consultant_name",
    "dealer_code",
    "entered_at",
    "original_invoice_number",
)


def _update_sql(columns: Iterable[str]) -> str:
    fields = compared_fields(columns)
    assignments = ", ".join(f"{name} = s.{name}" for name in (*fields, "customer_name_key"))
    # The rows the plan calls `update` (plan.action_sql): stored, different, and not held back as reverts.
    return f"""
        UPDATE {INVOICES} AS i
        SET {assignments}, batch_id = %(import)s, updated_at = %(now)s
        FROM {STAGED} AS s
        WHERE s.omd_import_id = %(import)s AND {LIVE} AND i.invoice_number = s.invoice_number
          AND NOT ({equal_sql(fields)})
    """


# The rows the plan calls `create`: no invoice has their number.
_INSERT_SQL = f"""
    INSERT INTO {INVOICES} ({", ".join(INSERTED_COLUMNS)}, voided, voided_by_id, batch_id, created_at, updated_at)
    SELECT {", ".join(f"s.{name}" for name in INSERTED_COLUMNS)}, %(false)s, NULL, %(import)s, %(now)s, %(now)s
    FROM {STAGED} AS s
    WHERE s.omd_import_id = %(import)s AND s.action = ''
      AND NOT EXISTS (SELECT 1 FROM {INVOICES} AS i WHERE i.invoice_number = s.invoice_number)
    ORDER BY s.row_number
"""

# The red-letter invoice is in the file: its row names the number it voids.
_VOID_BY_FILE_SQL = f"""
    UPDATE {INVOICES} AS t
    SET voided = %(true)s, voided_by_id = r.id, batch_id = %(import)s, updated_at = %(now)s
    FROM {STAGED} AS s
    JOIN {INVOICES} AS r ON r.invoice_number = s.invoice_number
    WHERE s.omd_import_id = %(import)s AND s.voids_number <> '' AND t.invoice_number = s.voids_number
"""
# The red-letter invoice was stored earlier: the voided invoice's row names it.
_VOID_BY_STORED_SQL = f"""
    UPDATE {INVOICES} AS t
    SET voided = %(true)s, voided_by_id = r.id, batch_id = %(import)s, updated_at = %(now)s
    FROM {STAGED} AS s
    JOIN {INVOICES} AS r ON r.invoice_number = s.voided_by_number
    WHERE s.omd_import_id = %(import)s AND s.voided_by_number <> '' AND t.invoice_number = s.invoice_number
"""

_HISTORY_SQL = f"""
    INSERT INTO {HISTORY} ({", ".join(HISTORY_COLUMNS)},
                           history_date, history_change_reason, history_type, history_user_id)
    SELECT {", ".join(f"i.{column}" for column in HISTORY_COLUMNS)},
           %(now)s, %(reason)s, CASE WHEN i.created_at = %(now)s THEN '+' ELSE '~' END, %(user)s
    FROM {INVOICES} AS i
    WHERE i.batch_id = %(import)s
    ORDER BY i.id
"""


def apply_plan(
    *,
    import_id: int,
    columns: Iterable[str],
    now: datetime,
    user_id: int | None,
    reason: str,
    timings: dict[str, float] | None = None,
) -> None:
    """Write the classified staged rows of the import (the caller holds the transaction and the lock)."""
    clock = Clock(timings)
    ops = connection.ops
    params = {
        "import": import_id,
        "now": ops.adapt_datetimefield_value(now),
        "true": True,
        "false": False,
        "user": user_id,
        "reason": reason[:REASON_MAX_LENGTH],
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The inserts sort up to an export's rows (by row number, by id): in memory rather than
            # in temporary files (SET LOCAL: the caller's transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(_update_sql(columns), params)
        clock("apply_update")
        cursor.execute(_INSERT_SQL, params)
        clock("apply_insert")
        cursor.execute(_VOID_BY_FILE_SQL, params)
        cursor.execute(_VOID_BY_STORED_SQL, params)
        clock("apply_void")
        cursor.execute(_HISTORY_SQL, params)
        clock("apply_history")
