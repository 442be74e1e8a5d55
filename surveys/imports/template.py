"""The downloadable result template: one sheet per table with its header and an example row, and instructions.

Headers are Chinese when the user works in Chinese and the English column names otherwise (the
importer reads both). Period and item-code columns are formatted as text, so that Excel keeps
``2010-02`` and ``11.10`` as typed instead of turning them into a date and a number. The
instructions sheet holds one cell per row, so it can never be taken for a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dealership_cs.spreadsheets import Column
from dealership_cs.spreadsheets.writer import TEXT_FORMAT, ExportSheet, ExportWorkbook, Styled
from surveys.imports.columns import ITEM_COLUMNS, ITEMS, SCORE_COLUMNS, SCORES, TARGET_COLUMNS, TARGETS
from surveys.models import Program
from surveys.periods import PeriodKind, allowed_examples
from surveys.selectors import catalogue_for

TEXT_COLUMNS = frozenset({"period", "item_code"})
VALIDATED_ROWS = 1000  # rows below the header offered the list of program codes
# The download's name, in Chinese whatever the page's language: the dealership files it.
TEMPLATE_NAME = "成绩导入模板"

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
    book = ExportWorkbook()
    programs = list(Program.objects.filter(active=True))
    tables = (
        (SCORES, _("Scores"), SCORE_COLUMNS),
        (ITEMS, _("Item scores"), ITEM_COLUMNS),
        (TARGETS, _("Targets"), TARGET_COLUMNS),
    )
    for table, title, columns in tables:
        _table_sheet(book, title, columns, EXAMPLES[table], programs, chinese=chinese)
    _instructions(book.sheet(_("Instructions"), widths=[120]), tables, programs, chinese=chinese)
    return book.to_bytes()


def _header(column: Column, *, chinese: bool) -> str:
    return column.label if chinese else column.key


def _table_sheet(
    book: ExportWorkbook,
    title: str,
    columns: Sequence[Column],
    example: dict[str, object],
    programs: list[Program],
    *,
    chinese: bool,
) -> None:
    headers = [_header(column, chinese=chinese) for column in columns]
    sheet = book.sheet(
        title,
        widths=[max(12, len(header) * 2 + 4) for header in headers],
        freeze="A2",
        # The column's format is what Excel gives the cells typed into it later.
        text_columns=[index for index, column in enumerate(columns, 1) if column.key in TEXT_COLUMNS],
    )
    sheet.append([Styled(header, bold=True, fill="blue") for header in headers])
    sheet.append(
        [
            Styled(str(example.get(column.key)), number_format=TEXT_FORMAT)
            if column.key in TEXT_COLUMNS
            else example.get(column.key)
            for column in columns
        ]
    )
    sheet.choice_list(f"A2:A{VALIDATED_ROWS + 1}", [program.code for program in programs])


def _instructions(sheet: ExportSheet, tables, programs: list[Program], *, chinese: bool) -> None:
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
    for text, bold in lines:
        sheet.append([Styled(text or None, bold=bold)])
