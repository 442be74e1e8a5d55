"""The downloadable result template: one sheet per table with its header and an example row, and instructions.

Headers are Chinese when the user works in Chinese and the English column names otherwise (the
importer reads both). Period and item-code columns are formatted as text, so that Excel keeps
``2010-02`` and ``11.10`` as typed instead of turning them into a date and a number. The
instructions sheet holds one cell per row, so it can never be taken for a table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dealership_cs.spreadsheets import Column
from surveys.imports.columns import ITEM_COLUMNS, ITEMS, SCORE_COLUMNS, SCORES, TARGET_COLUMNS, TARGETS
from surveys.models import Program
from surveys.periods import PeriodKind, allowed_examples
from surveys.selectors import catalogue_for

TEXT = "@"
TEXT_COLUMNS = frozenset({"period", "item_code"})
VALIDATED_ROWS = 1000  # rows below the header offered the list of program codes
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# One example row per table, DOMAIN.md's 2010 figures (the SSI first quarter, the MOT item 8C2)
# and a 2011 target.
EXAMPLES: dict[str, dict[str, object]] = {
    SCORES: {"program": "SSI", "period": "2010-Q1", "score": 843, "regional_avg": 878, "rank": 35, "dealers": 39},
    ITEMS: {"program": "CSS", "period": "2010", "item_code": "8C2", "score": 82.1, "regional_avg": 81},
    TARGETS: {"program": "SSI", "year": 2011, "target_score": 960, "target_rank": 10},
}


def score_template_workbook() -> bytes:
    """The template as .xlsx bytes, in the active language, listing the programs in the database."""
    chinese = (get_language() or "").lower().startswith("zh")
    workbook = Workbook()
    workbook.remove(workbook.active)
    programs = list(Program.objects.filter(active=True))
    tables = (
        (SCORES, _("Scores"), SCORE_COLUMNS),
        (ITEMS, _("Item scores"), ITEM_COLUMNS),
        (TARGETS, _("Targets"), TARGET_COLUMNS),
    )
    for table, title, columns in tables:
        _table_sheet(workbook.create_sheet(title), columns, EXAMPLES[table], programs, chinese=chinese)
    _instructions(workbook.create_sheet(_("Instructions")), tables, programs, chinese=chinese)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(column: Column, *, chinese: bool) -> str:
    return column.label if chinese else column.key


def _table_sheet(
    sheet: Worksheet, columns: Sequence[Column], example: dict[str, object], programs: list[Program], *, chinese: bool
) -> None:
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=_header(column, chinese=chinese))
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        value = example.get(column.key)
        sample = sheet.cell(row=2, column=index, value=str(value) if column.key in TEXT_COLUMNS else value)
        if column.key in TEXT_COLUMNS:
            # A column style is what Excel gives the cells typed into the column later.
            sheet.column_dimensions[letter].number_format = TEXT
            sample.number_format = TEXT
        sheet.column_dimensions[letter].width = max(12, len(cell.value) * 2 + 4)
    codes = ",".join(program.code for program in programs)
    if programs and len(codes) < 250:  # Excel's limit for a list typed into a validation
        choice = DataValidation(type="list", formula1=f'"{codes}"', allow_blank=True)
        choice.add(f"A2:A{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(choice)
    sheet.freeze_panes = "A2"


def _instructions(sheet: Worksheet, tables, programs: list[Program], *, chinese: bool) -> None:
    year = timezone.localdate().year
    lines: list[tuple[str, bool]] = [
        (_("Importing the manufacturer's results"), True),
        (
            _(
                "Fill in one or more of the sheets “%(scores)s”, “%(items)s” and “%(targets)s”, one row per program "
                "and period (item scores: per item too; targets: per program and year). The sheets are recognised "
                "by their header rows, in Chinese or English, not by their names. The second row of each sheet is "
                "an example: replace it with your own rows."
            )
            % {"scores": tables[0][1], "items": tables[1][1], "targets": tables[2][1]},
            False,
        ),
        (
            _(
                "Periods are text: %(month)s (a month), %(quarter)s (a quarter), %(half)s (a half year), %(year)s "
                "(the official full-year result). Scores use the program's scale; a rank needs the number of dealers "
                "ranked to be at least the rank."
            )
            % {"month": f"{year}-02", "quarter": f"{year}-Q1", "half": f"{year}-H1", "year": year},
            False,
        ),
        (
            _(
                "Importing again updates the values that changed and leaves the rest as they are. A row with a bad "
                "value is rejected on its own and listed with its sheet, row, column and reason; the other rows are "
                "stored. A target's phasing is kept as set on the target page."
            ),
            False,
        ),
        ("", False),
        (_("Columns (* required)"), True),
    ]
    for _table, title, columns in tables:
        headers = ", ".join(_header(c, chinese=chinese) + ("*" if c.required else "") for c in columns)
        lines.append((f"{title}: {headers}", False))
    lines += [("", False), (_("Programs"), True)]
    for program in programs:
        items = ", ".join(item.code for item in catalogue_for(program, year))
        text = _("%(code)s — %(name)s: %(kind)s, 0 to %(max)s points; periods %(periods)s.") % {
            "code": program.code,
            "name": program.name,
            "kind": str(PeriodKind(program.period_kind).label).lower(),
            "max": f"{program.scale_max:f}".rstrip("0").rstrip("."),
            "periods": allowed_examples(program.period_kind, year),
        }
        if items:
            text += " " + _("Item codes: %(codes)s.") % {"codes": items}
        lines.append((text, False))
    for row, (text, bold) in enumerate(lines, 1):
        cell = sheet.cell(row=row, column=1, value=text or None)
        if bold:
            cell.font = _BOLD
    sheet.column_dimensions["A"].width = 120
